"""Processors by name, demo deployments apart, filters and pages for the console's lists (issue 16 item 9).

A deployment is a demo when every version of it was applied by the example loader
(``services.examples.DEMO_ACTOR``, what `make run` loads). A real site that later
applies its own version of an example manifest makes it real from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from facegate.domain.model import english_name
from facegate.services.context import ServiceContext
from facegate.services.examples import DEMO_ACTOR

# Before issue 16 the example loader applied as "system" (nothing else applies manifests as "system"),
# so data directories made by an older `make run` still have their demos recognised.
DEMO_APPLIERS = frozenset({DEMO_ACTOR, "system"})

T = TypeVar("T")


@dataclass(frozen=True)
class ProcessorInfo:
    id: str
    name: str
    is_demo: bool  # every deployment of it is a demo
    name_en: str = ""


@dataclass(frozen=True)
class Catalog:
    """Who is who: processor names and which deployments are demos."""

    processors: dict[str, ProcessorInfo]
    deployment_processor: dict[str, str]
    demo_deployments: frozenset[str]
    # Processors some of whose deployments are out of the viewer's scope: their processor-wide
    # figures (the M-15.1 count, filing) would tell of the others, so they are not shown (M-14.3).
    partial: frozenset[str] = frozenset()

    def name(self, processor_id: str, lang: str = "zh") -> str:
        """The processor's name in ``lang``: in English its English name, else its Chinese one marked so."""
        info = self.processors.get(processor_id)
        if info is None or not info.name:
            return processor_id
        return info.name if lang == "zh" else english_name(info.name, info.name_en)

    def shows(self, deployment_id: str, *, processor: str | None = None, demo: bool = False) -> bool:
        """Real deployments normally, demo ones only when asked (``demo``), of ``processor`` when given."""
        if deployment_id not in self.deployment_processor:  # out of the viewer's scope (``within``)
            return False
        if (deployment_id in self.demo_deployments) != demo:
            return False
        return processor is None or self.deployment_processor.get(deployment_id) == processor

    def processor_ids(self, *, demo: bool = False) -> list[str]:
        chosen = sorted((p for p in self.processors.values() if p.is_demo == demo), key=lambda p: (p.name, p.id))
        return [p.id for p in chosen]

    def within(self, covers: Callable[[str], bool]) -> Catalog:
        """Only the deployments ``covers`` admits, and the processors of those (a scoped key, M-14.3)."""
        owner = {d: p for d, p in self.deployment_processor.items() if covers(d)}
        if len(owner) == len(self.deployment_processor):
            return self
        kept = set(owner.values())
        partial = frozenset(p for d, p in self.deployment_processor.items() if d not in owner and p in kept)
        return Catalog({p: info for p, info in self.processors.items() if p in kept}, owner,
                       frozenset(d for d in self.demo_deployments if d in owner), partial)


def catalog(ctx: ServiceContext) -> Catalog:
    with ctx.store.transaction(readonly=True) as tx:
        deployments = tx.deployments.all()
        demo = frozenset(d.id for d in deployments
                         if (vs := tx.deployments.versions(d.id)) and all(v.applied_by in DEMO_APPLIERS for v in vs))
        names = {}
        for pid in {d.processor_id for d in deployments}:
            p = tx.deployments.get_processor(pid)
            names[pid] = (p.name, p.name_en) if p else ("", "")
    owner = {d.id: d.processor_id for d in deployments}
    processors = {pid: ProcessorInfo(pid, zh, all(d in demo for d, p in owner.items() if p == pid), en)
                  for pid, (zh, en) in names.items()}
    return Catalog(processors, owner, demo)


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(items: Sequence[T], page: int, size: int) -> tuple[list[T], Page]:
    """``items[page]`` of ``size``; a page past the end shows the last one."""
    pages = max((len(items) + size - 1) // size, 1)
    number = min(max(page, 1), pages)
    start = (number - 1) * size
    return list(items[start:start + size]), Page(number, pages, len(items))
