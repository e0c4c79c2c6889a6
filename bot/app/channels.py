"""The channels a running bot sends through, by name: a registry each edge adds itself to.

Delivery reaches a person through the first channel, in the order they were added, that the
person is known on (``bot.services.delivery``). The assembly adds Telegram and, when it is
configured, WhatsApp; another edge (the plain-text channel of the scenario tests) adds its
own the same way, before or after delivery has started: the delivery service reads this
registry, not a copy of it, at every drain.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.core.notices import ChannelName
from bot.core.ports import Channel


class ChannelRegistry(Mapping[ChannelName, Channel]):
    """Channels by name, in the order recipients are reached through them."""

    def __init__(self, *channels: Channel) -> None:
        self._channels: dict[ChannelName, Channel] = {}
        for channel in channels:
            self.add(channel)

    def add(self, channel: Channel) -> None:
        """Serve ``channel`` under its own name (after those added before it)."""
        if channel.name in self._channels:
            raise ValueError(f"a channel named {channel.name!r} is already registered")
        self._channels[channel.name] = channel

    def __getitem__(self, name: ChannelName) -> Channel:
        return self._channels[name]

    def __iter__(self) -> Iterator[ChannelName]:
        return iter(self._channels)

    def __len__(self) -> int:
        return len(self._channels)
