"""Group commit of the records of concurrent read-only units of work (M-9.3).

A verify or identify writes nothing but its record. Committing each record on
its own costs a transaction, a head-row lock held through the WAL flush and an
fsync per operation; here the records of every unit that ends while a commit is
in flight wait for it and then go together: one head read, one multi-row
insert, one commit. Each caller returns only once its records are durable, and
gets the batch's error if that commit failed, so no operation is reported done
without its record.

Leader/follower: the first caller to find no commit running becomes the leader
and writes what is queued; the others wait. After each batch the leader hands
the lead to the oldest waiter, so nobody writes other callers' batches forever.
Such a unit never checks out a connection of its own (SqlTx opens one only when
something reads or writes). A unit that did open a transaction and finds nobody
leading takes the lead itself and links its records inside that transaction:
one commit, not two.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

E = TypeVar("E")  # a record as the writer takes it (the store's EncodedEvent)

MAX_BATCH = 2_000  # records per commit: bounds the statement size and the head-lock time


class _Ticket(Generic[E]):
    __slots__ = ("events", "signal", "lead", "error")

    def __init__(self, events: list[E]) -> None:
        self.events = events
        self.signal = threading.Event()  # set when written, or when this caller is to lead
        self.lead = False
        self.error: BaseException | None = None


class GroupCommitter(Generic[E]):
    """Funnels records into ``write`` (one transaction per call, committed when it returns)."""

    def __init__(self, write: Callable[[list[E]], None], max_batch: int = MAX_BATCH) -> None:
        self._write = write
        self._max_batch = max_batch
        self._mutex = threading.Lock()
        self._queue: list[_Ticket[E]] = []
        self._leading = False  # False only while the queue is empty

    def submit(self, events: list[E]) -> None:
        """Block until ``events`` are committed; raise what the commit raised."""
        ticket = _Ticket(events)
        with self._mutex:
            self._queue.append(ticket)
            lead = not self._leading
            self._leading = True
        if not lead:
            ticket.signal.wait()
            lead = ticket.lead
        if lead:  # this ticket is the oldest queued, so the batch written now contains it
            self._lead()
        if ticket.error is not None:
            raise ticket.error

    def _take(self) -> list[_Ticket[E]]:
        batch: list[_Ticket[E]] = []
        size = 0
        while self._queue and (not batch or size + len(self._queue[0].events) <= self._max_batch):
            ticket = self._queue.pop(0)
            batch.append(ticket)
            size += len(ticket.events)
        return batch

    def _lead(self) -> None:
        """Write one batch, then hand the lead to the oldest waiter (or give it up)."""
        with self._mutex:
            batch = self._take()
        try:
            self._write([ev for ticket in batch for ev in ticket.events])
        except BaseException as exc:  # noqa: BLE001 - every caller in the batch gets it
            for ticket in batch:
                ticket.error = exc
        for ticket in batch:
            ticket.signal.set()
        self.release()

    def try_lead(self) -> bool:
        """Take the lead if nobody holds it: the caller then links its own records inside its own
        transaction (a commit of one, no second transaction) and must call ``release`` after committing."""
        with self._mutex:
            if self._leading:
                return False
            self._leading = True
            return True

    def release(self) -> None:
        """Give up the lead: to the oldest waiter, who writes the next batch, or to nobody."""
        with self._mutex:
            if self._queue:
                successor = self._queue[0]
                successor.lead = True
                successor.signal.set()
            else:
                self._leading = False
