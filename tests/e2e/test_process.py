"""The real ``dodolan`` command in a child process: configuration errors, polling, SIGTERM,
webhook mode and migrations."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from simulator import BotApiEmulator
from tests.harness import TOKEN
from tests.waiting import GUARD, Lines


def clean_env(**extra: str) -> dict[str, str]:
    """An environment with none of the project's variables unless given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DODOLAN_", "PYTEST_", "WHATSAPP_"))
    }
    return {**env, **extra}


def run_cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    """Run ``python -m bot ARGS`` to completion in ``tmp_path`` (no .env there)."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


async def refused(request: Awaitable[httpx.Response]) -> int | str:
    """The status of a request the server refuses before reading its body, or "reset": the
    server closes with the unread body in its buffer, and under load the client may read the
    connection reset before the 403."""
    try:
        return (await request).status_code
    except httpx.ReadError:
        return "reset"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def bot_process(tmp_path: Path, *args: str, **env: str) -> AsyncIterator[Process]:
    """Start ``dodolan run ...`` as a child, its output read line by line (and kept in
    ``bot.log``); always reap it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=tmp_path,
        env=clean_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    process = Process(proc, Lines(proc.stdout, tmp_path / "bot.log"))
    try:
        yield process
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await process.lines.finish()


class Process:
    """A running bot process and its output."""

    def __init__(self, proc: asyncio.subprocess.Process, lines: Lines) -> None:
        self.proc = proc
        self.lines = lines

    async def terminate(self) -> tuple[int, float]:
        """Send SIGTERM; return the exit status and how long the process took to end."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), timeout=GUARD)
        await self.lines.finish()
        return code, time.monotonic() - started

    def output(self) -> str:
        return self.lines.text()


def bot_env(emulator: BotApiEmulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "DODOLAN_DATABASE": str(tmp_path / "dodolan.sqlite3"),
        **extra,
    }


def test_run_without_a_token_names_the_variable_and_exits_2(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "run")
    assert code == 2
    assert err.strip().count("\n") == 0 and "TELEGRAM_BOT_TOKEN" in err
    assert "Traceback" not in err and out == ""


def test_invalid_value_names_the_variable_and_exits_2(tmp_path: Path) -> None:
    code, _, err = run_cli(tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN, DODOLAN_STAFF_IDS="12,x")
    assert code == 2 and "DODOLAN_STAFF_IDS" in err and TOKEN not in err
    assert err.strip().count("\n") == 0


def test_webhook_mode_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    code, _, err = run_cli(
        tmp_path, "run", "--webhook", TELEGRAM_BOT_TOKEN=TOKEN, DODOLAN_WEBHOOK_URL="https://x.id"
    )
    assert code == 2 and "DODOLAN_WEBHOOK_SECRET" in err


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DODOLAN_TIMEZONE=Nowhere/Special\n")
    code, _, err = run_cli(tmp_path, "migrate")
    assert code == 2 and "DODOLAN_TIMEZONE" in err


def test_help_lists_the_commands(tmp_path: Path) -> None:
    code, out, _ = run_cli(tmp_path, "--help")
    assert code == 0 and "run" in out and "migrate" in out


def test_migrate_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    database = tmp_path / "data" / "dodolan.sqlite3"
    code, first, _ = run_cli(tmp_path, "migrate", DODOLAN_DATABASE=str(database))
    assert code == 0 and "0001_users_and_roles" in first
    with sqlite3.connect(database) as conn:
        schema = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    code, second, _ = run_cli(tmp_path, "migrate", DODOLAN_DATABASE=str(database))
    assert code == 0 and "nothing to do" in second
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema


async def test_polling_bot_answers_and_stops_cleanly_on_sigterm(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    siti = emulator.user(3001, "Siti", language_code="id")
    budi = emulator.user(3002, "Budi", language_code="en")
    async with bot_process(tmp_path, **bot_env(emulator, tmp_path)) as bot:
        replies = await siti.command("start", within=30)
        assert replies[0].text.startswith("Halo, Siti!")
        replies = await budi.command("start")
        assert replies[0].text.startswith("Hello, Budi!")
        assert "Dodolan started as @" in bot.output()  # logged at start-up, not at the end
        assert "Dodolan stopped" not in bot.output()
        code, took = await bot.terminate()
    log = bot.output()
    assert code == 0, log
    assert took < 5, f"took {took:.1f}s"
    assert log.count("Dodolan started as @") == 1
    assert (
        log.index("Dodolan started as @")
        < log.index("Dodolan stopped")
        < log.index("database closed")
    )
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_sigterm_lets_the_update_in_flight_finish(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    siti = emulator.user(3003, "Siti", language_code="id")
    async with bot_process(tmp_path, **bot_env(emulator, tmp_path)) as bot:
        await siti.command("bantuan", within=30)
        held = emulator.faults.add("hold", method="sendMessage", chat_id=siti.id)
        sending = asyncio.create_task(siti.command("bantuan", within=GUARD))
        await asyncio.wait_for(held.held.wait(), GUARD)  # the reply is being sent now
        stopping = asyncio.create_task(bot.terminate())
        await bot.lines.line("Application is stopping")  # SIGTERM is being handled ...
        held.release.set()  # ... while the reply is still on its way
        code, took = await stopping
        replies = await sending
    assert code == 0 and took < 5
    assert "Yang bisa saya bantu" in replies[0].text


SECRET = "s3cret-token_1"


def webhook_env(emulator: BotApiEmulator, tmp_path: Path, port: int) -> dict[str, str]:
    return bot_env(
        emulator,
        tmp_path,
        DODOLAN_WEBHOOK_URL=f"http://127.0.0.1:{port}",
        DODOLAN_WEBHOOK_SECRET=SECRET,
        DODOLAN_WEBHOOK_LISTEN="127.0.0.1",
        DODOLAN_WEBHOOK_PORT=str(port),
    )


async def answer_to_headers(port: int, headers: dict[str, str]) -> str:
    """POST only the headers (no body) and return the status line the server answers with."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        "POST /telegram HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    try:
        return (await asyncio.wait_for(reader.readline(), timeout=5)).decode().strip()
    except TimeoutError:
        return "no answer: the server waits for the body"
    finally:
        writer.close()


async def test_webhook_refuses_before_reading_a_body_without_secret_or_too_big(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    port = free_port()
    siti = emulator.user(3005, "Siti", language_code="id")
    async with bot_process(tmp_path, "--webhook", **webhook_env(emulator, tmp_path, port)) as bot:
        await siti.command("start", within=30)
        json_type = {"Content-Type": "application/json"}
        huge = {**json_type, "Content-Length": str(90 * 1024 * 1024)}
        assert await answer_to_headers(port, huge) == "HTTP/1.1 403 Forbidden"
        wrong = {**huge, "X-Telegram-Bot-Api-Secret-Token": "guess"}
        assert await answer_to_headers(port, wrong) == "HTTP/1.1 403 Forbidden"
        too_big = {**huge, "X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert await answer_to_headers(port, too_big) == "HTTP/1.1 413 Request Entity Too Large"
        chunked = {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}
        chunked["Transfer-Encoding"] = "chunked"
        assert await answer_to_headers(port, chunked) == "HTTP/1.1 411 Length Required"
        help_, *again = await siti.command("bantuan")  # the bot still serves real updates
        assert "Yang bisa saya bantu" in help_.text
        assert again and "Apakah Anda setuju?" in again[-1].text  # consent, asked again
        code, _ = await bot.terminate()
    assert code == 0, bot.output()


async def test_webhook_logs_no_text_of_an_update_it_cannot_read(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    port = free_port()
    siti = emulator.user(3006, "Siti", language_code="id")
    async with bot_process(tmp_path, "--webhook", **webhook_env(emulator, tmp_path, port)) as bot:
        await siti.command("start", within=30)
        broken = {"update_id": 5, "message": {"text": "Rahasia Bu Siti: omzet 40 juta"}}
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"http://127.0.0.1:{port}/telegram",
                json=broken,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
        assert answer.status_code == 400
        code, _ = await bot.terminate()
    log = bot.output()
    assert code == 0, log
    assert "Rahasia" not in log and "omzet" not in log
    assert "dropped a webhook update that could not be read" in log


async def test_webhook_mode_handles_only_updates_with_the_secret(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    port = free_port()
    env = webhook_env(emulator, tmp_path, port)
    siti = emulator.user(3004, "Siti", language_code="id")
    async with bot_process(tmp_path, "--webhook", **env) as bot:
        replies = await siti.command("start", within=30)  # delivered by the emulator's webhook
        assert replies[0].text.startswith("Halo, Siti!")
        before = len(siti.messages)
        update = {
            "update_id": 999_999,
            "message": {
                "message_id": 77,
                "date": int(time.time()),
                "chat": {"id": siti.id, "type": "private", "first_name": "Siti"},
                "from": {"id": siti.id, "is_bot": False, "first_name": "Siti"},
                "text": "/bantuan",
                "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
            },
        }
        url = f"http://127.0.0.1:{port}/telegram"
        async with httpx.AsyncClient() as client:
            missing = await refused(client.post(url, json=update))
            wrong = await refused(
                client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
            )
        assert missing in (403, "reset") and wrong in (403, "reset")
        # One update of hers after them: the bot handles a chat's updates in order, so had it
        # taken either forged one, its answer would come first.
        await siti.command("bantuan", within=GUARD)
        answers = [m.text for m in siti.messages[before:]]
        assert sum("Yang bisa saya bantu" in text for text in answers) == 1, answers
        code, took = await bot.terminate()
    assert code == 0 and took < 5


def without_root_override() -> list[str]:
    """A prefix that runs the child without root's power to write read-only files."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("as root, a read-only file needs setpriv to stay read-only")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


@pytest.mark.parametrize("read_only", ["file", "folder"])
async def test_a_read_only_database_at_start_up_is_one_line_and_exit_2(
    tmp_path: Path, emulator: BotApiEmulator, read_only: str
) -> None:
    folder = tmp_path / "data"
    database = folder / "dodolan.sqlite3"
    env = bot_env(emulator, tmp_path, DODOLAN_DATABASE=str(database))
    if read_only == "file":
        assert run_cli(tmp_path, "migrate", DODOLAN_DATABASE=str(database))[0] == 0
        database.chmod(0o444)
    else:
        folder.mkdir(mode=0o555)
    try:
        proc = await asyncio.create_subprocess_exec(
            *without_root_override(),
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=clean_env(**env),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2, err.decode()
    (line,) = err.decode().splitlines()  # no traceback
    assert line.startswith(f"dodolan: cannot write the database {database}: ")
    assert "readonly database" in line or "unable to open database file" in line
    assert line.endswith("(check that the file and its folder are writable and the disk has room)")
    assert out == b""


def test_backup_copies_a_consistent_database(tmp_path: Path) -> None:
    database = tmp_path / "dodolan.sqlite3"
    run_cli(tmp_path, "migrate", DODOLAN_DATABASE=str(database))
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO users (id, language, created_at, last_seen_at) VALUES (5, 'id', 'x', 'x')"
        )
    conn.close()
    target = tmp_path / "backups" / "copy.sqlite3"
    code, out, _ = run_cli(tmp_path, "backup", str(target), DODOLAN_DATABASE=str(database))
    assert code == 0 and "copied" in out
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT id FROM users").fetchall() == [(5,)]
    copy.close()
    code, _, err = run_cli(tmp_path, "backup", str(target), DODOLAN_DATABASE=str(database))
    assert code == 1 and "exists" in err
