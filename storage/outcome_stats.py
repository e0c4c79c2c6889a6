"""The programme's outcome per trained owner: one row per attended booking."""

from __future__ import annotations

from bot.core.outcomes import OwnerOutcome
from storage.attendance import ATTENDED
from storage.database import Database

_MONTH = "LEFT JOIN outcome_checkins c{m} ON c{m}.booking_id = b.id AND c{m}.month = {m} "
SQL = (
    "SELECT b.id AS booking_id, b.user_id, s.id AS session_id, s.title, s.trainer_id, "
    "o.full_name, o.business_name, o.kecamatan, o.category, "
    "CASE WHEN EXISTS (SELECT 1 FROM identities i WHERE i.user_id = b.user_id "
    "AND i.channel = 'whatsapp') THEN 'whatsapp' ELSE 'telegram' END AS channel, "
    "(SELECT COUNT(*) FROM practice_tasks p WHERE p.booking_id = b.id) AS given, "
    "(SELECT COUNT(*) FROM practice_tasks p WHERE p.booking_id = b.id "
    "AND p.status = 'done') AS done, "
    "EXISTS (SELECT 1 FROM certificates k WHERE k.booking_id = b.id "
    "AND k.revoked_at IS NULL) AS certified, "
    "c1.sells_online AS s1, c1.orders AS o1, c3.sells_online AS s3, c3.orders AS o3, "
    "c6.sells_online AS s6, c6.orders AS o6 "
    "FROM bookings b JOIN training_sessions s ON s.id = b.session_id "
    "LEFT JOIN owner_profiles o ON o.user_id = b.user_id "
    + "".join(_MONTH.format(m=m) for m in (1, 3, 6))
    + f"WHERE {ATTENDED} ORDER BY s.starts_at, s.id, o.full_name"
)


def _sells(value: int | None) -> bool | None:
    return None if value is None else bool(value)


class OutcomeStatsRepository:
    """Read-only SQL for the outcome figures and the export."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def rows(self) -> list[OwnerOutcome]:
        """Every trained owner's tasks, certificate and check-in answers."""
        return [
            OwnerOutcome(
                booking_id=r["booking_id"],
                user_id=r["user_id"],
                session_id=r["session_id"],
                session_title=r["title"],
                trainer_id=r["trainer_id"],
                owner_name=r["full_name"] or "",
                business_name=r["business_name"] or "",
                kecamatan=r["kecamatan"] or "",
                category=r["category"] or "",
                channel=r["channel"],
                tasks_given=r["given"],
                tasks_done=r["done"],
                certified=bool(r["certified"]),
                sells={1: _sells(r["s1"]), 3: _sells(r["s3"]), 6: _sells(r["s6"])},
                orders={1: r["o1"], 3: r["o3"], 6: r["o6"]},
            )
            for r in await self._db.fetch_all(SQL)
        ]
