"""What the Dinas sees of the outcome: owners trained, tasks done, certificates, and the share
selling online and with at least one online order at 1, 3 and 6 months (of those who
answered that check-in), overall and by session, kecamatan, business type and channel.
Staff see everything; a trainer sees their own sessions (role re-checked on every call)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.errors import NotAllowed
from bot.core.models import Role
from bot.core.outcomes import OwnerOutcome
from bot.i18n import Catalog
from bot.services.export_views import Cell, Sheet

MONTHS = (1, 3, 6)


class OutcomeRows(Protocol):
    """Every trained owner's outcome."""

    async def rows(self) -> list[OwnerOutcome]: ...


class Roles(Protocol):
    """A person's roles now."""

    async def roles(self, user_id: int) -> frozenset[Role]: ...


@dataclass
class Group:
    """The figures of one group of trained owners."""

    label: str
    trained: int = 0
    tasks_given: int = 0
    tasks_done: int = 0
    certified: int = 0
    answered: dict[int, int] = field(default_factory=lambda: dict.fromkeys(MONTHS, 0))
    selling: dict[int, int] = field(default_factory=lambda: dict.fromkeys(MONTHS, 0))
    ordering: dict[int, int] = field(default_factory=lambda: dict.fromkeys(MONTHS, 0))

    def add(self, row: OwnerOutcome) -> None:
        """Count one trained owner in."""
        self.trained += 1
        self.tasks_given += row.tasks_given
        self.tasks_done += row.tasks_done
        self.certified += row.certified
        for month in MONTHS:
            sells = row.sells.get(month)
            if sells is None:
                continue
            self.answered[month] += 1
            self.selling[month] += sells
            self.ordering[month] += (row.orders.get(month) or "0") != "0"

    def share(self, counts: dict[int, int], month: int) -> int | None:
        """A whole percentage of those who answered that month's check-in (None: nobody)."""
        answered = self.answered[month]
        return round(100 * counts[month] / answered) if answered else None


def group(rows: Sequence[OwnerOutcome], label: str) -> Group:
    """The figures of ``rows`` together."""
    total = Group(label)
    for row in rows:
        total.add(row)
    return total


def groups(rows: Sequence[OwnerOutcome], key: Callable[[OwnerOutcome], str]) -> list[Group]:
    """The figures per value of ``key``, in order of first appearance."""
    found: dict[str, Group] = {}
    for row in rows:
        label = key(row)
        found.setdefault(label, Group(label)).add(row)
    return list(found.values())


@dataclass(frozen=True)
class OutcomeFigures:
    """The outcome overall and by each breakdown."""

    total: Group
    by_session: list[Group]
    by_kecamatan: list[Group]
    by_category: list[Group]
    by_channel: list[Group]


class OutcomeStatsService:
    """The outcome figures for staff (all) and trainers (their sessions)."""

    def __init__(self, store: OutcomeRows, roles: Roles, catalog: Catalog) -> None:
        self._store, self._roles, self._catalog = store, roles, catalog

    async def rows_for(self, user_id: int) -> list[OwnerOutcome]:
        """The owners this person may see figures of (NotAllowed for owners)."""
        roles = await self._roles.roles(user_id)
        rows = await self._store.rows()
        if Role.STAFF in roles:
            return rows
        if Role.TRAINER in roles:
            return [r for r in rows if r.trainer_id == user_id]
        raise NotAllowed(user_id, "staff or trainer")

    async def figures(self, user_id: int, language: str) -> OutcomeFigures:
        """The outcome as this person may see it."""
        rows = await self.rows_for(user_id)
        label = self._catalog.text

        def option(kind: str) -> Callable[[OwnerOutcome], str]:
            def read(row: OwnerOutcome) -> str:
                value = getattr(row, kind)
                if not value:
                    return "-"
                return self._catalog.raw(language, f"option.{kind}.{value}")

            return read

        return OutcomeFigures(
            total=group(rows, label(language, "outcome.stats.all")),
            by_session=groups(rows, lambda r: r.session_title),
            by_kecamatan=groups(rows, option("kecamatan")),
            by_category=groups(rows, option("category")),
            by_channel=groups(rows, lambda r: label(language, f"practice.channel.{r.channel}")),
        )


def _percent(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def group_line(catalog: Catalog, language: str, item: Group) -> str:
    """One group's figures on one line."""
    selling = "/".join(_percent(item.share(item.selling, m)) for m in MONTHS)
    ordering = "/".join(_percent(item.share(item.ordering, m)) for m in MONTHS)
    return catalog.text(
        language,
        "outcome.stats.line",
        label=item.label,
        trained=item.trained,
        done=item.tasks_done,
        given=item.tasks_given,
        certified=item.certified,
        selling=selling,
        ordering=ordering,
    )


def outcome_text(catalog: Catalog, language: str, figures: OutcomeFigures) -> str:
    """The outcome section of /statistik (and of a trainer's /hasil)."""
    t = catalog.text
    parts = [t(language, "outcome.stats.title"), group_line(catalog, language, figures.total)]
    for key, items in (
        ("session", figures.by_session),
        ("kecamatan", figures.by_kecamatan),
        ("category", figures.by_category),
        ("channel", figures.by_channel),
    ):
        if items:
            lines = "\n".join(group_line(catalog, language, g) for g in items)
            parts.append(t(language, f"outcome.stats.by_{key}") + "\n" + lines)
    return "\n\n".join(parts)


SHEET_COLUMNS = (
    "session",
    "name",
    "business",
    "kecamatan",
    "category",
    "channel",
    "tasks_done",
    "tasks_given",
    "certificate",
    *(f"{what}_{m}" for m in MONTHS for what in ("sells", "orders")),
)


def outcome_sheet(catalog: Catalog, language: str, rows: Sequence[OwnerOutcome]) -> Sheet:
    """The export's "hasil" sheet: one row per trained owner."""

    def option(kind: str, value: str) -> str:
        return catalog.raw(language, f"option.{kind}.{value}") if value else ""

    def yes_no(value: bool | None) -> str:
        return (
            ""
            if value is None
            else catalog.raw(language, "outcome.yes" if value else "outcome.no")
        )

    body: tuple[tuple[Cell, ...], ...] = tuple(
        (
            r.session_title,
            r.owner_name,
            r.business_name,
            option("kecamatan", r.kecamatan),
            option("category", r.category),
            r.channel,
            r.tasks_done,
            r.tasks_given,
            catalog.raw(language, "outcome.yes" if r.certified else "outcome.no"),
            *(cell for m in MONTHS for cell in (yes_no(r.sells[m]), r.orders[m] or "")),
        )
        for r in rows
    )
    headers = tuple(catalog.raw(language, f"outcome.column.{c}") for c in SHEET_COLUMNS)
    return Sheet(
        title=catalog.raw(language, "outcome.column.sheet"),
        slug="hasil",
        headers=headers,
        widths=tuple(12 if i > 5 else 22 for i in range(len(SHEET_COLUMNS))),
        rows=body,
    )
