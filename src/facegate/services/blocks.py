"""Blocked client addresses after guessing secrets: see them, lift one with a recorded reason.

Guessing keys, receipt or claim codes blocks the address (M-14.5). Behind a shared
NAT that also shuts out honest neighbours, so the block is proportional (short
first, four times longer on each repeat within a day: ``IntrusionDefence._block_client``)
and visible: an admin lists blocks and lifts one with a reason that goes into the
processing record (issue 11 item 9). Lifting is an admin's act, across deployments,
because an address is not any one deployment's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from facegate.domain.intrusion import SecurityEvent
from facegate.errors import Conflict, InvalidInput
from facegate.services.common import record
from facegate.services.context import ServiceContext

KINDS = ("client_blocked", "client_block_lifted")
LOOKBACK = timedelta(days=1)  # the longest block


@dataclass(frozen=True)
class ClientBlock:
    client: str  # the address, or the IPv6 /64 that was blocked
    blocked_at: datetime
    until: datetime
    level: int
    cause: str

    def as_dict(self) -> dict[str, object]:
        return {"client": self.client, "blocked_at": self.blocked_at.isoformat(), "until": self.until.isoformat(),
                "level": self.level, "cause": self.cause}


def _fold(events: Iterable[SecurityEvent], now: datetime) -> dict[str, ClientBlock]:
    current: dict[str, ClientBlock] = {}
    for ev in events:
        client = ev.client or ""
        if ev.kind == "client_blocked":
            seconds = int(str(ev.detail.get("block_s", 3600)))  # events from before escalation: one hour
            current[client] = ClientBlock(client, ev.at, ev.at + timedelta(seconds=seconds),
                                          int(str(ev.detail.get("level", 1))), str(ev.detail.get("cause", "")))
        else:
            current.pop(client, None)
    return {k: v for k, v in current.items() if v.until > now}


def active_blocks(ctx: ServiceContext) -> list[ClientBlock]:
    now = ctx.clock.now()
    with ctx.store.transaction(readonly=True) as tx:
        events = tx.security.lock_events(now - LOOKBACK, None, KINDS)
    return list(_fold(events, now).values())


def lift_block(ctx: ServiceContext, client: str, *, reason: str, actor: str) -> ClientBlock:
    """Open a blocked address again; who and why go into the security events and the record (M-9.3)."""
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500 or not reason.isprintable():
        raise InvalidInput("lift_reason_missing", "Say why the block is lifted (3-500 printable characters).",
                           "请填写解除封禁的原因（3至500个可打印字符）。", article_id="M-14.5")
    block = next((b for b in active_blocks(ctx) if b.client == client), None)
    if block is None:
        raise Conflict("client_not_blocked", "This address is not blocked.", "该地址未被封禁。", article_id="M-14.5")
    now = ctx.clock.now()
    detail: dict[str, object] = {"client": client, "reason": reason, "level": block.level,
                                 "blocked_at": block.blocked_at.isoformat(), "until": block.until.isoformat()}
    with ctx.store.transaction() as tx:
        tx.security.add(SecurityEvent("client_block_lifted", "low", actor, client, None, now, detail))
        record(ctx, tx, "client_block_lifted", actor=actor, allowed=True, detail=detail)
    ctx.guard.unblock_client(client)
    return block
