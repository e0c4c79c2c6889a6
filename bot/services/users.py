"""Who a user is, which language they read, and what they may do."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import DatabaseUnavailable, InvalidInput, NotAllowed
from bot.core.models import Role, User
from bot.core.notices import ChannelName
from bot.core.ports import Identities
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_for_client

logger = logging.getLogger(__name__)


class UserStore(Protocol):
    """What the user service needs from storage."""

    async def get(self, user_id: int) -> User | None: ...
    async def touch(
        self, user_id: int, default_language: str, now: datetime, display_name: str | None = None
    ) -> User: ...
    async def display_names(self, user_ids: Iterable[int]) -> dict[int, str]: ...
    async def set_language(self, user_id: int, language: str) -> None: ...
    async def roles(self, user_id: int) -> frozenset[Role]: ...
    async def holders(self, role: Role) -> list[int]: ...
    async def sync_config_staff(self, staff_ids: Iterable[int], now: datetime) -> list[int]: ...
    async def mark_unreachable(self, user_id: int, now: datetime) -> None: ...
    async def is_unreachable(self, user_id: int) -> bool: ...
    async def unreachable(self) -> list[int]: ...


class UserService:
    """Users, languages and the one role check every privileged action uses."""

    def __init__(self, store: UserStore, identities: Identities, now: Clock) -> None:
        self._store = store
        self._identities = identities
        self._now = now
        # Who lost the staff role when the settings were applied at this start-up: their
        # chat still shows the staff menu until it is set again.
        self._demoted: set[int] = set()

    async def arrived(
        self,
        channel: ChannelName,
        external_id: str,
        client_language: str | None,
        display_name: str | None = None,
    ) -> User:
        """The account of the person who wrote (see :meth:`arrival`)."""
        user, _ = await self.arrival(channel, external_id, client_language, display_name)
        return user

    async def arrival(
        self,
        channel: ChannelName,
        external_id: str,
        client_language: str | None,
        display_name: str | None = None,
    ) -> tuple[User, bool]:
        """The person behind ``external_id`` on ``channel`` wrote: their account, made on first
        contact under a new internal id, with their client's language; and whether this was
        their first contact (an erased person who writes again is a new one).

        A known person is looked up, not registered again (no write beyond :meth:`seen`'s). On
        a full disk a known person is served from what is stored, so that reading still works;
        a newcomer cannot be (the error reaches the edge, which apologises once).
        """
        user_id = await self._identities.user_for(channel, external_id)
        first = user_id is None
        if user_id is None:
            language = language_for_client(client_language)
            user_id = await self._identities.register(channel, external_id, language, self._now())
        return await self.seen(user_id, client_language, display_name), first

    async def known(self, channel: ChannelName, external_id: str) -> User | None:
        """The account of the person behind ``external_id`` on ``channel``, if they ever
        wrote (read only: for answering in their language without recording a visit)."""
        user_id = await self._identities.user_for(channel, external_id)
        return await self._store.get(user_id) if user_id is not None else None

    async def seen(
        self, user_id: int, client_language: str | None, display_name: str | None = None
    ) -> User:
        """Record that the user ``user_id`` (an internal id, see :meth:`arrived`) wrote; a
        new user gets their client's language.

        If the database cannot be written (a full disk), the user is served from what is
        stored, or as a newcomer, so that reading still works and only a write apologises.
        """
        language, now = language_for_client(client_language), self._now()
        try:
            return await self._store.touch(user_id, language, now, display_name)
        except DatabaseUnavailable as exc:
            logger.warning("could not record that user %s wrote: %s", user_id, exc)
        return await self._store.get(user_id) or User(user_id, language, now, now)

    async def display_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        """Names of staff and trainers, for showing them to owners."""
        return await self._store.display_names(user_ids)

    async def get(self, user_id: int) -> User | None:
        """Return the user, if known."""
        return await self._store.get(user_id)

    async def set_language(self, user_id: int, language: str) -> None:
        """Switch the user's language to one the catalogs have."""
        if language not in LANGUAGES:
            raise InvalidInput("language.unknown")
        await self._store.set_language(user_id, language)

    async def roles(self, user_id: int) -> frozenset[Role]:
        """Return the user's roles as stored now (never cached)."""
        return await self._store.roles(user_id)

    async def require(self, user_id: int, role: Role) -> None:
        """Raise :class:`NotAllowed` unless the user holds ``role`` right now."""
        if role not in await self._store.roles(user_id):
            raise NotAllowed(user_id, role.value)

    async def privileged_ids(self) -> set[int]:
        """Return everyone holding staff or trainer rights."""
        return {*await self._store.holders(Role.STAFF), *await self._store.holders(Role.TRAINER)}

    async def menu_holders(self) -> set[int]:
        """Staff, trainers, and who lost the staff role at start-up: chats with their own menu."""
        return {*await self.privileged_ids(), *self._demoted}

    async def bootstrap_staff(self, telegram_ids: Iterable[int]) -> None:
        """Grant staff to exactly the people with these Telegram ids (config-granted roles
        only); each is known from now on, before their first message, but gets nothing
        from the bot until they wrote (Telegram refuses a chat its user never opened)."""
        now = self._now()
        staff_ids = [
            await self._identities.register(
                ChannelName.TELEGRAM, str(telegram_id), DEFAULT_LANGUAGE, now, wrote=False
            )
            for telegram_id in sorted(set(telegram_ids))
        ]
        self._demoted.update(await self._store.sync_config_staff(staff_ids, now))

    async def blocked_the_bot(self, user_id: int) -> None:
        """Telegram said 403: skip sends to this user until they write again."""
        await self._store.mark_unreachable(user_id, self._now())

    async def is_unreachable(self, user_id: int) -> bool:
        """Whether sends to this user are being skipped."""
        return await self._store.is_unreachable(user_id)

    async def unreachable(self) -> list[int]:
        """Everyone whose sends are being skipped."""
        return await self._store.unreachable()
