"""Injectable faults (429, 403, 5xx, slow answers, dropped connections, held calls).

A ``hold`` fault keeps the matching call waiting, without wall-clock time, until the test
sets its ``release`` event; ``held`` is set once the call is waiting.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

KINDS = ("429", "403_blocked", "500", "502", "slow", "drop", "hold")


@dataclass
class Fault:
    """One injected fault and how many more times it fires."""

    kind: str
    method: str | None = None
    chat_id: int | str | None = None
    times: int = 1
    retry_after: int = 1
    delay: float = 0.0
    held: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        """True if the fault applies to a call."""
        if self.times <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)


class Faults:
    """A queue of faults consumed by matching calls."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[tuple[str, str]] = []

    def add(
        self,
        kind: str,
        method: str | None = None,
        chat_id: int | str | None = None,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
    ) -> Fault:
        """Register a fault; kind is one of 429, 403_blocked, 500, 502, slow, drop, hold."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        fault = Fault(kind, method, chat_id, times, retry_after, delay)
        self.pending.append(fault)
        return fault

    def take(self, method: str, chat_id: int | str | None) -> Fault | None:
        """Consume and return the first fault matching a call, if any."""
        for fault in self.pending:
            if fault.matches(method, chat_id):
                fault.times -= 1
                self.fired.append((fault.kind, method))
                if fault.times <= 0:
                    self.pending.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Remove all pending faults."""
        self.pending.clear()
