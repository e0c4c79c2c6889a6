"""Injectable faults on the messages endpoint: Meta's transient errors, 5xx, slowness, drops."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.whatsapp.errors import GraphError

KINDS = ("500", "503", "130429", "131056", "131026", "131048", "slow", "drop")
_DETAILS = {
    "500": (1, "An unknown error occurred", 500),
    "503": (2, "Service temporarily unavailable", 503),
    "130429": (130429, "Throughput reached (injected fault).", 400),
    "131056": (131056, "Pair rate limit hit (injected fault).", 400),
    "131026": (131026, "Message undeliverable (injected fault).", 400),
    "131048": (131048, "Spam rate limit hit (injected fault).", 400),
}


@dataclass
class Fault:
    """One injected fault, for one recipient (``to`` as wa_id or BSUID) or any."""

    kind: str
    to: str | None = None
    times: int = 1
    delay: float = 0.0

    def error(self) -> GraphError:
        """The error this fault answers with (not for slow/drop)."""
        code, details, status = _DETAILS[self.kind]
        return GraphError(code, details, http_status=status)


class Faults:
    """A queue of faults consumed by matching sends."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.fired: list[tuple[str, str]] = []

    def add(self, kind: str, to: str | None = None, times: int = 1, delay: float = 0.0) -> Fault:
        """Register a fault; kind is one of KINDS (``slow`` waits ``delay`` then answers)."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        fault = Fault(kind, to, times, delay)
        self.pending.append(fault)
        return fault

    def take(self, recipients: set[str]) -> Fault | None:
        """Consume and return the first fault matching a send to one of ``recipients``."""
        for fault in self.pending:
            if fault.times > 0 and (fault.to is None or fault.to in recipients):
                fault.times -= 1
                self.fired.append((fault.kind, next(iter(sorted(recipients)), "")))
                if fault.times <= 0:
                    self.pending.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Remove all pending faults."""
        self.pending.clear()
