"""Erasure beyond the user row: what channels keep under a person's ids there, and its ports.

A person's data is erased by :meth:`bot.services.profile.ProfileService.erase` and by nothing
else: it deletes the user row with everything keyed to it, then asks each
:class:`TraceKeeper` the assembly registered (a channel's inbox, which holds what the person
wrote under their number, not their user id) to delete what it keeps under the
:class:`Traces` of the request, and finally empties the write-ahead log so that no earlier
version of a deleted row stays on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.notices import ChannelName


@dataclass(frozen=True)
class Traces:
    """The ids under which a channel may still keep something of an erased person."""

    channel: ChannelName
    address: str | None  # what the channel knows them by (a WhatsApp number)
    scoped_id: str | None = None  # the platform's other id for them (WhatsApp's BSUID)
    # The platform's id of the message that asked for the erasure: what the address sent
    # after it comes from whoever has the number now (it may be given to a new person) and
    # is kept, to be answered.
    up_to: str | None = None
    # Only what the platform reported about messages sent to them (a status arriving after
    # the erasure), never a message the address sent: that one is a new person's.
    reports_only: bool = False


class TraceKeeper(Protocol):
    """Keeps something of people outside their user row, keyed by their ids on a channel."""

    async def erase_traces(self, traces: Traces) -> int:
        """Delete what is kept under ``traces``; return how many records went."""
        ...


class DeletedRows(Protocol):
    """The database file, which may still hold earlier versions of rows deleted since."""

    async def forget_deleted(self) -> None:
        """Leave no earlier version of a deleted row on disk (empty the write-ahead log)."""
        ...
