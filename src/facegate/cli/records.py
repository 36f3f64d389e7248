"""`facegate audit|keys|security|purge`: the record, keys and security events from the command line."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from facegate.cli.context import local_context
from facegate.cli.output import NO_MATCH, JsonOption, emit, handle_errors
from facegate.cli.progress import ProgressOption, progress
from facegate.errors import InvalidInput
from facegate.cli.lazy import lazy

if TYPE_CHECKING:
    from facegate.services import access, audit, keys, purge, security
else:
    access = lazy("facegate.services.access")
    audit = lazy("facegate.services.audit")
    keys = lazy("facegate.services.keys")
    purge = lazy("facegate.services.purge")
    security = lazy("facegate.services.security")

audit_app = typer.Typer(help="Check and export the processing record (M-9.3).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (M-14.3, M-14.4) and key-encryption key rotation (M-14.1).",
                       no_args_is_help=True)
security_app = typer.Typer(help="Security events from intrusion defence (M-14.5).", no_args_is_help=True)


@audit_app.command("verify")
@handle_errors
def audit_verify(as_json: bool = JsonOption,
                 anchor: list[Path] = typer.Option([], "--anchor", help="Anchor file(s) written by `audit anchor`: "
                                                   "the record must not have been rolled back past them.")) -> None:
    """Check every record, signed checkpoint and the head row (and anchors) (M-9.3). Exit 0 intact, 1 broken."""
    anchors = []
    for path in anchor:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput("anchor_unreadable", f"Cannot read the anchor file {path}: {exc.__class__.__name__}",
                               f"无法读取锚定文件 {path}。", article_id="M-9.3") from exc
        anchors += audit.read_anchors(text)
    r = audit.verify_records(local_context().services, anchors)
    data = {"ok": r.ok, "checked": r.checked, "last_seq": r.last_seq, "checkpoints_checked": r.checkpoints_checked,
            "anchors_checked": len(anchors), "first_broken_seq": r.first_broken_seq,
            "problem": r.problem.value if r.problem else None, "detail": r.detail}
    human = (f"ok: {r.checked} records, {r.checkpoints_checked} signed checkpoints, {len(anchors)} anchors" if r.ok
             else f"BROKEN at seq {r.first_broken_seq}: {r.problem.value if r.problem else '?'}: {r.detail}")
    emit(data, as_json, human)
    if not r.ok:
        raise typer.Exit(NO_MATCH)


@audit_app.command("anchor")
@handle_errors
def audit_anchor(out: Path = typer.Option(None, "--out", "-o",
                                          help="Append-only anchor file (default: stdout, for a witness).")) -> None:
    """Sign the record's head now and write it outside the database (M-9.3).

    Keep the file where the database's administrators cannot rewrite it (another host, `chattr +a`,
    a witness); `audit verify --anchor FILE` then refuses any rollback past it, even one re-signed with the key.
    """
    line = audit.anchor_head(local_context().services) + "\n"
    if out is None:
        typer.echo(line, nl=False)
        return
    # O_APPEND: earlier anchors are never overwritten; fsync: an anchor that was printed is on disk.
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    typer.echo(f"anchored seq {json.loads(line)['seq']} to {out}", err=True)


@audit_app.command("export")
@handle_errors
def audit_export(out: Path = typer.Option(None, "--out", "-o", help="File to write (default: stdout)."),
                 from_seq: int = typer.Option(1, help="First record to export."),
                 to_seq: int | None = typer.Option(None, help="Last record to export (default: the newest).")) -> None:
    """Export records with the checkpoints to verify them offline: python -m facegate.offline_verify FILE."""
    lines = audit.export_records(local_context().services, from_seq, to_seq, actor="cli")
    target = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for line in lines:
            target.write(line + "\n")
    finally:
        if out:
            target.close()


@audit_app.command("public-key")
@handle_errors
def audit_public_key(as_json: bool = JsonOption) -> None:
    """Print the checkpoint public keys (PEM) for auditors to pin."""
    auditor = local_context().services.auditor
    keys_by_id = auditor.public_keys() if auditor else {}
    emit({"public_keys": keys_by_id}, as_json, "\n".join(pem.strip() for pem in keys_by_id.values()))


@keys_app.command("create")
@handle_errors
def keys_create(name: str = typer.Argument(..., help="A name that says who or what holds the key."),
                role: str = typer.Option(..., help="admin, operator, auditor or device"),
                scope: list[str] = typer.Option(["*"], help="Deployment ids, or * for all."),
                ttl_days: int | None = typer.Option(None, help="Days until it expires (default: 90) (M-14.4)."),
                as_json: bool = JsonOption) -> None:
    """Create an API key; the token is printed once and stored only as a hash."""
    c = access.create_api_key(local_context().services, name, role, tuple(scope), ttl_days=ttl_days)
    emit({"key_id": c.key.key_id, "token": c.token, "expires_at": c.key.expires_at}, as_json,
         f"{c.token}\n(key {c.key.key_id}, {c.key.role.value}, expires {c.key.expires_at:%Y-%m-%d}; "
         "shown once, keep it safe)")


@keys_app.command("list")
@handle_errors
def keys_list(as_json: bool = JsonOption) -> None:
    """List API keys (ids, roles, scopes, expiry; never the tokens)."""
    items: list[dict[str, Any]] = [{"key_id": k.key_id, "name": k.name, "role": k.role.value, "scopes": sorted(k.scopes),
              "expires_at": k.expires_at, "revoked_at": k.revoked_at} for k in access.list_api_keys(local_context().services)]
    if as_json:
        typer.echo(json.dumps(items, indent=2, default=str))
        return
    for k in items:
        state = "revoked" if k["revoked_at"] else f"expires {k['expires_at']:%Y-%m-%d}"
        typer.echo(f"{k['key_id']}  {k['role']:<8} {','.join(k['scopes']):<30} {k['name']}  ({state})")


@keys_app.command("revoke")
@handle_errors
def keys_revoke(key_id: str = typer.Argument(..., help="The key id (see `facegate keys list`)."),
                as_json: bool = JsonOption) -> None:
    """Revoke an API key; it stops working at once (M-14.4)."""
    k = access.revoke_api_key(local_context().services, key_id)
    emit({"key_id": k.key_id, "revoked_at": k.revoked_at}, as_json, f"revoked {k.key_id}")


@keys_app.command("rotate-api")
@handle_errors
def keys_rotate_api(key_id: str = typer.Argument(..., help="The key id to replace."),
                    as_json: bool = JsonOption) -> None:
    """Replace an API key; the old one keeps working for a short grace period."""
    c = access.rotate_api_key(local_context().services, key_id)
    emit({"key_id": c.key.key_id, "replaces": key_id, "token": c.token, "expires_at": c.key.expires_at}, as_json,
         f"{c.token}\n(new key {c.key.key_id} replaces {key_id})")


@keys_app.command("rotate")
@handle_errors
def keys_rotate(as_json: bool = JsonOption, show: bool | None = ProgressOption) -> None:
    """New key-encryption key; every data key is re-wrapped under it while service continues."""
    with progress(show, "opening the store") as report:
        ctx = local_context()
        report("creating the new key-encryption key")
        ctx.keyring.create_kek()
        r = keys.rewrap_all(ctx.services, progress=report)
    emit(asdict(r), as_json, f"current KEK {r.kek_id}: {r.rewrapped} data key(s) re-wrapped")


@security_app.command("events")
@handle_errors
def security_events(limit: int = typer.Option(50, help="Most recent events to show."),
                    as_json: bool = JsonOption) -> None:
    """Show recent security events: lockouts, forged keys, bursts (M-14.5)."""
    events = security.list_security_events(local_context().store, limit)
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in events], indent=2, default=str))
        return
    for e in events:
        typer.echo(f"{e.at:%Y-%m-%d %H:%M:%S} {e.severity:<6} {e.kind:<20} key={e.key_id} client={e.client}")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
    app.add_typer(security_app, name="security")

    @app.command("purge")
    @handle_errors
    def purge_cmd(as_json: bool = JsonOption, show: bool | None = ProgressOption) -> None:
        """Delete templates past their retention period and shred unneeded keys (M-8.5)."""
        with progress(show, "opening the store") as report:
            services = local_context().services
            report("finding expired templates")
            r = purge.purge_expired(services, actor="cli", progress=report)
        emit(asdict(r), as_json, f"purged {r.templates_deleted} template(s), destroyed {r.keys_destroyed} key(s); "
                                 f"receipt {r.receipt_code}")
