"""The ports the core depends on; channels and storage implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.notices import ChannelName, Notice, Recipient, SentRef


class Channel(Protocol):
    """A way to reach people: renders a notice within its limits and sends it.

    ``send`` raises the delivery errors of :mod:`bot.core.errors` (``Unreachable``,
    ``RetryLater``, ``Rejected``, ``OutsideWindow``) and nothing platform-specific.
    """

    name: ChannelName

    async def send(self, recipient: Recipient, notice: Notice, *, bulk: bool) -> SentRef:
        """Deliver one notice (``bulk``: after people's replies); return its id there."""
        ...


class Waker(Protocol):
    """Runs the delivery service again at a given time (a scheduler job, or at once)."""

    def wake_at(self, due: datetime) -> None:
        """Make sure delivery runs at ``due`` (now, if it has passed)."""
        ...
