"""A disk that fills up while the bot runs: one apology per update, reading still works."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from simulator import BotApiEmulator, FakeUser
from tests.harness import FakeClock, RunningBot, settings_for

APOLOGY = (
    "Maaf, ada gangguan di sistem kami 🙏 Silakan coba lagi sebentar lagi. Data Anda tetap aman."
)
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|COMMIT)\b", re.IGNORECASE)


@dataclass
class Disk:
    """Whether the disk under the database is full."""

    full: bool = False
    full_at_commit: bool = False  # statements run in the page cache; writing them out fails

    def refuses(self, sql: str) -> bool:
        """Whether running ``sql`` would need room the disk does not have."""
        if self.full_at_commit and sql.strip().upper() == "COMMIT":
            return True
        return self.full and bool(_WRITE.match(sql))


DISK = Disk()


def _disk_full() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    error.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
    return error


class _OnDisk(sqlite3.Connection):
    """A connection whose writes fail as SQLite's do when the disk is full."""

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if DISK.refuses(sql):
            raise _disk_full()
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if DISK.refuses(sql):
            raise _disk_full()
        return super().executemany(sql, *args)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Disk:
    """Put the bot's database on a disk the test can fill."""
    monkeypatch.setattr(
        aiosqlite, "connect", functools.partial(aiosqlite.connect, factory=_OnDisk)
    )
    DISK.full = DISK.full_at_commit = False
    return DISK


@pytest.fixture
async def bot(
    disk: Disk, emulator: BotApiEmulator, database: Path, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    running = RunningBot(settings_for(emulator, database), clock, emulator)
    await running.start()
    try:
        yield running
    finally:
        disk.full = disk.full_at_commit = False
        await running.stop()


async def test_a_newcomers_start_on_a_full_disk_gets_one_apology(
    bot: RunningBot, disk: Disk, siti: FakeUser
) -> None:
    disk.full = True
    replies = await siti.command("start")
    assert [m.text for m in replies] == [APOLOGY]
    disk.full = False
    replies = await siti.command("start")  # room again: sign-up starts as usual
    assert replies[0].text.startswith("Halo, Siti!")


async def test_a_known_user_still_reads_on_a_full_disk(
    bot: RunningBot, disk: Disk, siti: FakeUser
) -> None:
    await siti.command("bantuan")
    disk.full = True
    replies = await siti.command("bantuan")
    assert len(replies) == 1 and "Yang bisa saya bantu" in replies[0].text


async def test_a_commit_that_fails_leaves_the_writer_usable(
    bot: RunningBot, disk: Disk, siti: FakeUser
) -> None:
    await siti.command("bantuan")
    disk.full_at_commit = True
    replies = await siti.command("bahasa")
    assert [m.text for m in replies] == ["Pilih bahasa yang Anda inginkan:"]
    disk.full_at_commit = False
    await siti.command("bahasa")
    await siti.press("🇬🇧 English")
    user = await bot.services.users.get(await bot.user_id_of(siti.id))
    assert user is not None and user.language == "en"
