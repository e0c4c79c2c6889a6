"""Everything stored about one person beyond their profile, read for /datasaya (UU PDP)."""

from __future__ import annotations

import json
from datetime import datetime

from bot.core.models import BookingStatus, TipDay
from bot.core.personal_data import BookingRecord as BookingRecord
from bot.core.personal_data import FileRecord, PracticeRecord
from bot.core.personal_data import PersonalRecords as PersonalRecords
from bot.core.personal_data import RoleRecord as RoleRecord
from bot.core.personal_data import TipOpinion as TipOpinion
from bot.core.personal_data import TipRecord as TipRecord
from storage.database import Database, from_db_time


def _time(value: str | None) -> datetime | None:
    return from_db_time(value) if value else None


class PersonalDataRepository:
    """Read-only SQL across the tables that hold a person's records."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def records(self, user_id: int) -> PersonalRecords:
        """Return every record keyed to ``user_id`` (empty ones if they never wrote)."""
        user = await self._db.fetch_one(
            "SELECT announcements_off, tasks_off, unreachable_at, pending_start FROM users "
            "WHERE id = ?",
            (user_id,),
        )
        subscription = await self._db.fetch_one(
            "SELECT slot, active FROM tips_subscriptions WHERE user_id = ?", (user_id,)
        )
        days = await self._db.fetch_all(
            "SELECT day, status FROM tips_daily WHERE user_id = ? ORDER BY day", (user_id,)
        )
        return PersonalRecords(
            announcements_off=bool(user and user["announcements_off"]),
            unreachable_since=_time(user["unreachable_at"]) if user else None,
            start_link=user["pending_start"] if user else None,
            daily_tip_slot=subscription["slot"] if subscription else None,
            daily_tip_active=bool(subscription and subscription["active"]),
            daily_tip_days=tuple((r["day"], TipDay(r["status"])) for r in days),
            roles=await self._roles(user_id),
            bookings=await self._bookings(user_id),
            tips_received=await self._tips(user_id),
            tip_opinions=await self._opinions(user_id),
            tasks_off=bool(user and user["tasks_off"]),
            practice_tasks=await self._practice(user_id),
            certificates=await self._certificates(user_id),
            checkins=await self._checkins(user_id),
            files=await self._files(user_id),
        )

    async def _files(self, user_id: int) -> tuple[FileRecord, ...]:
        """The kept files the person sent with questions or as a task's proof, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT f.name, f.kind, s.mime_type, s.size, f.at, 'question' AS sent_with "
            "FROM question_files f JOIN questions q ON q.id = f.question_id "
            "JOIN stored_files s ON s.sha256 = f.sha256 WHERE q.user_id = :user "
            "UNION ALL SELECT NULL, 'photo', s.mime_type, s.size, p.submitted_at, "
            "'practice_task' FROM practice_tasks p JOIN stored_files s "
            "ON s.sha256 = p.proof_file WHERE p.user_id = :user ORDER BY 5",
            {"user": user_id},
        )
        return tuple(
            FileRecord(r["name"], r["kind"], r["mime_type"], r["size"], from_db_time(r[4]), r[5])
            for r in rows
        )

    async def _checkins(self, user_id: int) -> tuple[dict[str, object], ...]:
        rows = await self._db.fetch_all(
            "SELECT c.month, s.title, c.sells_online, c.marketplaces, c.orders, c.obstacle, "
            "c.answered_at FROM outcome_checkins c JOIN bookings b ON b.id = c.booking_id "
            "JOIN training_sessions s ON s.id = b.session_id WHERE c.user_id = ? "
            "ORDER BY c.due_at",
            (user_id,),
        )
        return tuple(
            {
                "month": r["month"],
                "session": r["title"],
                "sells_online": None if r["sells_online"] is None else bool(r["sells_online"]),
                "marketplaces": json.loads(r["marketplaces"]),
                "online_orders_last_month": r["orders"],
                "what_stops_you": r["obstacle"],
                "answered_at": r["answered_at"],
            }
            for r in rows
        )

    async def _certificates(self, user_id: int) -> tuple[tuple[str, str, datetime, bool], ...]:
        rows = await self._db.fetch_all(
            "SELECT code, session_title, issued_at, revoked_at FROM certificates "
            "WHERE user_id = ? ORDER BY issued_at",
            (user_id,),
        )
        return tuple(
            (r["code"], r["session_title"], from_db_time(r["issued_at"]), r["revoked_at"] is None)
            for r in rows
        )

    async def _practice(self, user_id: int) -> tuple[PracticeRecord, ...]:
        rows = await self._db.fetch_all(
            "SELECT p.task_id, s.title, p.status, p.snoozes, p.due_at, p.done_at, p.help_at "
            "FROM practice_tasks p JOIN bookings b ON b.id = p.booking_id "
            "JOIN training_sessions s ON s.id = b.session_id WHERE p.user_id = ? ORDER BY p.id",
            (user_id,),
        )
        return tuple(
            PracticeRecord(
                r["task_id"],
                r["title"],
                r["status"],
                r["snoozes"],
                from_db_time(r["due_at"]),
                _time(r["done_at"]),
                _time(r["help_at"]),
            )
            for r in rows
        )

    async def _roles(self, user_id: int) -> tuple[RoleRecord, ...]:
        rows = await self._db.fetch_all(
            "SELECT role, source, granted_at, display_name FROM user_roles "
            "WHERE user_id = ? ORDER BY role",
            (user_id,),
        )
        return tuple(
            RoleRecord(r["role"], r["source"], from_db_time(r["granted_at"]), r["display_name"])
            for r in rows
        )

    async def _bookings(self, user_id: int) -> tuple[BookingRecord, ...]:
        rows = await self._db.fetch_all(
            "SELECT b.id, s.title, s.starts_at, b.status, b.created_at, b.will_attend_at, "
            "b.attended_at, f.stars, f.comment, f.created_at AS rated_at "
            "FROM bookings b JOIN training_sessions s ON s.id = b.session_id "
            "LEFT JOIN feedback f ON f.booking_id = b.id "
            "WHERE b.user_id = ? ORDER BY s.starts_at, b.id",
            (user_id,),
        )
        return tuple(
            BookingRecord(
                booking_id=r["id"],
                session=r["title"],
                starts_at=from_db_time(r["starts_at"]),
                status=BookingStatus(r["status"]),
                booked_at=from_db_time(r["created_at"]),
                will_attend_at=_time(r["will_attend_at"]),
                attended_at=_time(r["attended_at"]),
                stars=r["stars"],
                comment=r["comment"],
                rated_at=_time(r["rated_at"]),
            )
            for r in rows
        )

    async def _tips(self, user_id: int) -> tuple[TipRecord, ...]:
        rows = await self._db.fetch_all(
            "SELECT tip_id, topic, via, sent_at FROM tips_sent WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return tuple(
            TipRecord(r["tip_id"], r["topic"], r["via"], from_db_time(r["sent_at"])) for r in rows
        )

    async def _opinions(self, user_id: int) -> tuple[TipOpinion, ...]:
        rows = await self._db.fetch_all(
            "SELECT tip_id, topic, helpful, at FROM tips_feedback WHERE user_id = ? ORDER BY at",
            (user_id,),
        )
        return tuple(
            TipOpinion(r["tip_id"], r["topic"], bool(r["helpful"]), from_db_time(r["at"]))
            for r in rows
        )
