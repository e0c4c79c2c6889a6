"""Certificates of completion: issued when an attendee's required practice tasks are done,
sent as a PDF on the owner's channel, verified by anyone with ``cek <kode>``, and seen,
reissued and revoked by staff (role re-checked on every call).

**Issuing.** After each completed task (done, or its proof accepted) the practice service
calls :meth:`CertificateService.completed`; once every required task of the booking is done
and the owner attended, one certificate is stored with what the paper says (names copied
now) and a ``certificate`` outbox row sends it. A partial unique index keeps one live
certificate per booking, so two taps at once issue one.

**Codes** look like ``DDL-7K3M-Q9PX``: 8 characters from 31 unambiguous letters and digits
(about 40 bits), typed case-insensitively. Erasure (/hapusdata) blanks the names and revokes
(a trigger of the migration); verification then says "revoked".
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.certificates import Certificate
from bot.core.clock import Clock
from bot.core.errors import NotAllowed, StaleAction
from bot.core.models import Role, TrainingSession
from bot.core.notices import NoticeKind
from bot.core.ports import OutboxWriter, ProfileReader, SessionReading, Transaction, UnitOfWork
from bot.core.practice import PracticeTask, TaskStatus

KIND = NoticeKind.CERTIFICATE
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE = re.compile(r"^DDL-[A-Z0-9]{4}-[A-Z0-9]{4}$")
RECENT = 15


def new_code() -> str:
    """A fresh verification code."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"DDL-{chars[:4]}-{chars[4:]}"


_CHECK_TEXT = re.compile(r"\s*cek\s+(.{4,40})", re.IGNORECASE | re.DOTALL)


def typed_check(text: str) -> str | None:
    """The code of a typed "cek <kode>", on any channel; None unless it has a code's shape,
    so that "cek ongkir ke Batu?" stays a question for the Dinas."""
    match = _CHECK_TEXT.fullmatch(text)
    return normal_code(match[1]) if match else None


def normal_code(text: str) -> str | None:
    """The code as stored, from what someone typed ("ddl 7k3m q9px" too); None if not one."""
    bare = re.sub(r"[\s\-_]", "", text).upper()
    if len(bare) != 11 or not bare.startswith("DDL"):
        return None
    code = f"DDL-{bare[3:7]}-{bare[7:]}"
    return code if CODE.match(code) else None


class CertificateStore(Protocol):
    """Certificates as stored."""

    async def issue(self, tx: Transaction, cert: Certificate) -> bool: ...
    async def get(self, code: str) -> Certificate | None: ...
    async def live_for(self, booking_id: int) -> Certificate | None: ...
    async def of_user(self, user_id: int) -> list[Certificate]: ...
    async def recent(self, limit: int) -> list[Certificate]: ...
    async def revoke(self, tx: Transaction, code: str, reason: str, now: datetime) -> bool: ...


class TaskReader(Protocol):
    """The tasks given for a booking."""

    async def of_booking(self, booking_id: int) -> list[PracticeTask]: ...


class People(Protocol):
    """Roles and the names trainers show."""

    async def roles(self, user_id: int) -> frozenset[Role]: ...
    async def display_names(self, user_ids: Iterable[int]) -> dict[int, str]: ...


@dataclass(frozen=True)
class Verification:
    """What ``cek <kode>`` finds: the certificate (None: unknown code) and the code asked."""

    code: str
    certificate: Certificate | None


class CertificateService:
    """Issue, verify, reissue and revoke certificates."""

    def __init__(
        self,
        db: UnitOfWork,
        store: CertificateStore,
        tasks: TaskReader,
        owners: ProfileReader,
        sessions: SessionReading,
        people: People,
        outbox: OutboxWriter,
        now: Clock,
    ) -> None:
        self._db, self._store, self._tasks, self._owners = db, store, tasks, owners
        self._sessions, self._people, self._outbox, self._now = sessions, people, outbox, now

    async def completed(self, booking_id: int) -> Certificate | None:
        """Issue the booking's certificate if every required task is done (else None)."""
        tasks = await self._tasks.of_booking(booking_id)
        required = [t for t in tasks if t.required]
        if not required or any(t.status != TaskStatus.DONE for t in required):
            return None
        if not all(t.attended for t in required):
            return None
        if await self._store.live_for(booking_id) is not None:
            return None
        first = required[0]
        session = await self._sessions.get(first.session_id)
        if session is None:
            return None
        return await self._issue(booking_id, first.user_id, session)

    async def verify(self, text: str) -> Verification:
        """Look a typed code up (anyone may)."""
        code = normal_code(text)
        found = await self._store.get(code) if code else None
        return Verification(code or text.strip().upper()[:20], found)

    async def of_user(self, user_id: int) -> list[Certificate]:
        """The owner's certificates (for /datasaya)."""
        return await self._store.of_user(user_id)

    async def recent(self, staff_id: int) -> list[Certificate]:
        """The newest certificates (staff only)."""
        await self._require_staff(staff_id)
        return await self._store.recent(RECENT)

    async def show(self, staff_id: int, text: str) -> Certificate:
        """One certificate by code (staff only); StaleAction if there is none."""
        await self._require_staff(staff_id)
        code = normal_code(text)
        found = await self._store.get(code) if code else None
        if found is None:
            raise StaleAction(text)
        return found

    async def revoke(self, staff_id: int, code: str) -> Certificate:
        """Revoke a standing certificate (staff only)."""
        await self._require_staff(staff_id)
        async with self._db.transaction() as tx:
            if not await self._store.revoke(tx, code, "staff", self._now()):
                raise StaleAction(code)
        found = await self._store.get(code)
        assert found is not None
        return found

    async def reissue(self, staff_id: int, code: str) -> Certificate:
        """Revoke a standing certificate and issue a new one with today's names (staff only)."""
        await self._require_staff(staff_id)
        old = await self._store.get(code)
        if old is None or not old.valid or old.booking_id is None or old.user_id is None:
            raise StaleAction(code)
        session = await self._sessions.get(old.session_id)
        if session is None:
            raise StaleAction(code)
        cert = await self._issue(old.booking_id, old.user_id, session, replaces=code)
        if cert is None:
            raise StaleAction(code)
        return cert

    async def _issue(
        self,
        booking_id: int,
        user_id: int,
        session: TrainingSession,
        replaces: str | None = None,
    ) -> Certificate | None:
        profile = await self._owners.get(user_id)
        if profile is None:
            return None
        names = await self._people.display_names(
            [session.trainer_id] if session.trainer_id else []
        )
        now = self._now()
        cert = Certificate(
            code=new_code(),
            booking_id=booking_id,
            user_id=user_id,
            session_id=session.id,
            owner_name=profile.full_name,
            business_name=profile.business_name,
            session_title=session.title,
            session_date=session.starts_at,
            trainer_name=names.get(session.trainer_id) if session.trainer_id else None,
            issued_at=now,
        )
        async with self._db.transaction() as tx:
            if replaces is not None and not await self._store.revoke(
                tx, replaces, "reissued", now
            ):
                raise StaleAction(replaces)
            if not await self._store.issue(tx, cert):
                if replaces is not None:
                    raise StaleAction(replaces)  # and the revocation is rolled back
                return None  # issued by a tap at the same moment
            await self._outbox.enqueue(
                tx, user_id, KIND, {"code": cert.code}, now, now, 4, f"certificate:{cert.code}"
            )
        return cert

    async def _require_staff(self, user_id: int) -> None:
        if Role.STAFF not in await self._people.roles(user_id):
            raise NotAllowed(user_id, "staff")
