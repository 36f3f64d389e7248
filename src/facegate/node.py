"""Starting a node: example deployments, the first admin key, the purge schedule.

Both entry points (`facegate serve` and `uvicorn --factory facegate.web.asgi:app_from_env`)
go through here (production refusals are in bootstrap.build_context), so a node behaves the same however it is started.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from facegate.bootstrap import AppContext
from facegate.services import access
from facegate.services.examples import Loaded, load_manifests
from facegate.services.purge import PurgeSchedule
from facegate.settings import Settings

ADMIN_KEY_FILE = "first-admin.key"


def wants_examples(settings: Settings, flag: bool | None) -> bool:
    """Example deployments load in dev, or when asked for; never silently in prod or test."""
    return flag if flag is not None else settings.env == "dev"


def load_examples(ctx: AppContext, enabled: bool) -> list[Loaded]:
    folder = ctx.settings.examples_dir
    if not enabled or folder is None or not folder.is_dir():
        return []
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]
    return load_manifests(ctx.services, texts)


@dataclass(frozen=True)
class FirstAdmin:
    token: str | None  # for the terminal, in dev and test only
    path: Path | None  # where the token was written, in prod

    def __repr__(self) -> str:
        return f"FirstAdmin(path={self.path!r})"


def first_admin_key(ctx: AppContext) -> FirstAdmin | None:
    """Create the first admin key when none exists; in prod it goes to a 0600 file, never a terminal."""
    settings = ctx.settings
    if not settings.bootstrap_admin_key or access.has_admin_key(ctx.services):
        return None
    created = access.create_api_key(ctx.services, "first-admin", "admin", ("*",), actor="system")
    if settings.env != "prod":
        return FirstAdmin(created.token, None)
    path = settings.data_dir / ADMIN_KEY_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(created.token + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return FirstAdmin(None, path)


def start_schedules(ctx: AppContext) -> PurgeSchedule | None:
    """Every node runs the retention purge (M-8.5); a database lock lets one node purge at a time.

    The face engine starts loading in the background too (adapters/face/lazy.py), so the node
    answers /healthz at once and its first face request does not pay the whole load.
    """
    warm_up = getattr(ctx.services.engine, "warm_up", None)
    if warm_up is not None:
        warm_up()
    if ctx.purge is not None:
        ctx.purge.start()
    return ctx.purge
