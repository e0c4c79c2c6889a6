"""The webhook door under a connection flood (issue 20, point 2).

The real ``dodolan run --webhook`` runs in its own process with RLIMIT_NOFILE 1,024 (what a
systemd unit inherits), taking Telegram updates by webhook from the Bot API emulator and
WhatsApp webhooks from its emulator. A third process (this script with ``--attack``) then
opens, on EACH of the two webhook ports:

- 1,000 "held" connections: a POST with the secret header (Telegram) or some
  ``X-Hub-Signature-256`` (WhatsApp) declaring a body at the cap (1 MB / 3 MB), then sending
  all of it but the last byte and waiting;
- 1,100 "slow-header" connections: a request line, then one more header line every 2 s.

Meanwhile real owners (5 on Telegram, 5 on WhatsApp) ask for the help text every 2-3 s.
Printed: the bot's RSS (now and peak), open descriptors, CPU, log bytes, what the attackers
saw, and the owners' reply p95 before, during and after the attack. Targets: RSS < 200 MB,
reply p95 < 1 s, log < 1 MB.

Run: .venv/bin/python benchmarks/webhook_door.py                  (~1.5 min)
     .venv/bin/python benchmarks/webhook_door.py --reconnect 1    (attackers come back)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import (
    TOKEN,
    WA_SECRET,
    WA_TOKEN,
    free_port,
    machine,
    percentile,
    seed_telegram_owners,
    seed_whatsapp_owners,
    whatsapp_emulator,
)

from simulator import BotApiEmulator, FakeUser
from simulator.whatsapp import Limits as WaLimits
from simulator.whatsapp import WhatsAppPerson

TG_SECRET = "bench-door-secret"
HELD, SLOW = 1_000, 1_100
OWNERS = 5
PHASES = ("quiet", "opening", "held", "after")
QUIET_SECONDS, ATTACK_SECONDS, AFTER_SECONDS = 15.0, 40.0, 15.0
BOT_NOFILE = 1_024
MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]


def raise_nofile(want: int) -> int:
    """Raise this process's descriptor limit towards ``want``; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(want, hard) if hard != resource.RLIM_INFINITY else want
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- The attacker process ----------------------------------------------------------------


@dataclass
class Seen:
    opened: int = 0
    connect_failed: int = 0
    answered: dict[str, int] = field(default_factory=dict)
    closed_by_server: int = 0
    open_at_stop: int = 0


@dataclass
class Target:
    port: int
    head: bytes
    body: int  # bytes declared; 0 for slow headers
    seen: Seen


def answered(seen: Seen, data: bytes) -> None:
    status = data.split(b"\r\n", 1)[0].decode(errors="replace")[9:12]
    seen.answered[status] = seen.answered.get(status, 0) + 1


async def hold_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    """One more header line every 2 s until the server answers or closes."""
    line = 0
    while True:
        await writer.drain()
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(reader.read(4096), 2.0)
        line += 1
        writer.write(b"X-Slow-%d: x\r\n" % line)


async def hold_body(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: int
) -> bytes:
    """All the declared body but its last byte, as fast as the server takes it; then wait."""
    writer.write(b"{")
    sent, chunk = 1, b" " * 65536
    read = asyncio.create_task(reader.read(4096))
    try:
        while sent < body - 1 and not read.done():
            part = chunk[: min(len(chunk), body - 1 - sent)]
            writer.write(part)
            sent += len(part)
            await writer.drain()
        return await read
    finally:
        read.cancel()


async def attacker(
    target: Target,
    gate: asyncio.Semaphore,
    attempted: asyncio.Event,
    again: float | None,
    stop: asyncio.Event,
) -> None:
    """Hold one connection; with ``again``, open a new one that many seconds after a close.
    (``stop`` as well as cancelling: wait_for in Python 3.11 can swallow a cancellation.)"""
    while not stop.is_set():
        async with gate:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
            except OSError:
                target.seen.connect_failed += 1
                writer = None
            finally:
                attempted.set()
        if writer is not None:
            target.seen.opened += 1
            try:
                writer.write(target.head)
                if target.body:
                    data = await hold_body(reader, writer, target.body)
                else:
                    data = await hold_headers(reader, writer)
                if data:
                    answered(target.seen, data)
                target.seen.closed_by_server += 1
            except OSError:
                target.seen.closed_by_server += 1
            except asyncio.CancelledError:
                target.seen.open_at_stop += 1
                raise
            finally:
                writer.close()
        if again is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), again)


async def attack(tg_port: int, wa_port: int, again: float | None) -> None:
    """Open every attacking connection, say "ready", hold until stdin closes, report."""
    raise_nofile(4 * (HELD + SLOW) + 500)
    gate = asyncio.Semaphore(200)
    report: dict[str, Seen] = {}
    targets = []
    for name, port, path, header, cap in (
        ("telegram", tg_port, "telegram", f"X-Telegram-Bot-Api-Secret-Token: {TG_SECRET}", MB),
        ("whatsapp", wa_port, "whatsapp", "X-Hub-Signature-256: sha256=" + "0" * 64, 3 * MB),
    ):
        held, slow = Seen(), Seen()
        report[f"{name} held"], report[f"{name} slow"] = held, slow
        post = (
            f"POST /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {cap}\r\n{header}\r\n\r\n"
        ).encode()
        opening = f"POST /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
        targets += [Target(port, post, cap, held) for _ in range(HELD)]
        targets += [Target(port, opening, 0, slow) for _ in range(SLOW)]
    random.shuffle(targets)
    attempts = [asyncio.Event() for _ in targets]
    stop = asyncio.Event()
    running = [
        asyncio.create_task(attacker(t, gate, e, again, stop))
        for t, e in zip(targets, attempts, strict=True)
    ]
    for event in attempts:
        await event.wait()
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    stop.set()
    for task in running:
        task.cancel()
    _, stuck = await asyncio.wait(running, timeout=10)
    for task in stuck:
        task.cancel()
    print(json.dumps({k: vars(v) for k, v in report.items()}), flush=True)


# --- The bot process and the owners ------------------------------------------------------


def limit_bot_nofile() -> None:
    """In the bot's child process: the descriptor limit a systemd unit inherits."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (BOT_NOFILE, BOT_NOFILE))


@dataclass
class Sample:
    phase: str
    rss_mb: float
    fds: int
    log_bytes: int
    cpu_seconds: float
    runqueue_seconds: float  # runnable, but waiting for a CPU the machine gave to others
    at: float = field(default_factory=time.monotonic)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Watch:
    pid: int
    log: Path
    phase: str = "quiet"
    samples: list[Sample] = field(default_factory=list)
    replies: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    missed: dict[tuple[str, str], int] = field(default_factory=dict)

    def sample(self) -> Sample:
        status = Path(f"/proc/{self.pid}/status").read_text()
        rss = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
        )
        cpu = cpu_seconds(self.pid)
        waited = int(Path(f"/proc/{self.pid}/schedstat").read_text().split()[1]) / 1e9
        fds = len(os.listdir(f"/proc/{self.pid}/fd"))
        taken = Sample(self.phase, rss / 1024, fds, self.log.stat().st_size, cpu, waited)
        self.samples.append(taken)
        return taken

    def peak_hwm_mb(self) -> float:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return next(
            int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")
        )

    def took(self, channel: str, phase: str, seconds: float | None) -> None:
        key = (channel, phase)
        if seconds is None:
            self.missed[key] = self.missed.get(key, 0) + 1
        else:
            self.replies.setdefault(key, []).append(seconds)


async def watch_process(watch: Watch, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            watch.sample()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def probe(port: int, name: str, watch: Watch, stop: asyncio.Event) -> None:
    """A request the door answers at once (404), timed from connect to status line; and how
    late this process's own event loop wakes (the emulators live here)."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        phase, started = watch.phase, time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            await asyncio.wait_for(reader.readline(), 30)
            writer.close()
            watch.took(f"{name} 404", phase, time.perf_counter() - started)
        except (OSError, TimeoutError):
            watch.took(f"{name} 404", phase, None)
        planned = loop.time() + 0.5
        await asyncio.sleep(0.5)
        watch.took("emulators' loop lag", phase, loop.time() - planned)


async def telegram_owner(user: FakeUser, watch: Watch, stop: asyncio.Event) -> None:
    await asyncio.sleep(random.uniform(0, 2))
    while not stop.is_set():
        started, phase = time.perf_counter(), watch.phase
        try:
            await user.send("/bantuan", within=30)
        except AssertionError:
            watch.took("telegram", phase, None)
        else:
            watch.took("telegram", phase, time.perf_counter() - started)
        await asyncio.sleep(random.uniform(1.5, 2.5))


async def whatsapp_owner(person: WhatsAppPerson, watch: Watch, stop: asyncio.Event) -> None:
    await asyncio.sleep(random.uniform(0, 3))
    while not stop.is_set():
        started, phase = datetime.now(UTC), watch.phase
        try:
            replies = await person.say("menu", within=30)
        except AssertionError:
            watch.took("whatsapp", phase, None)
        else:
            watch.took("whatsapp", phase, (replies[0].sent_at - started).total_seconds())
        await asyncio.sleep(random.uniform(2.5, 3.5))


def bot_env(folder: Path, tg: BotApiEmulator, wa_emu: object, tg_port: int, wa_port: int) -> dict:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DODOLAN_", "WHATSAPP_", "PYTEST_"))
    }
    return {
        **keep,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_API_BASE_FILE_URL": tg.base_file_url,
        "DODOLAN_DATABASE": str(folder / "bench.sqlite3"),
        "DODOLAN_WEBHOOK_URL": f"http://127.0.0.1:{tg_port}",
        "DODOLAN_WEBHOOK_SECRET": TG_SECRET,
        "DODOLAN_WEBHOOK_LISTEN": "127.0.0.1",
        "DODOLAN_WEBHOOK_PORT": str(tg_port),
        "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": wa_emu.phone_number_id,  # type: ignore[attr-defined]
        "WHATSAPP_APP_SECRET": WA_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_BUSINESS_ACCOUNT_ID": wa_emu.waba_id,  # type: ignore[attr-defined]
        "WHATSAPP_API_BASE_URL": wa_emu.base_url,  # type: ignore[attr-defined]
        "DODOLAN_WHATSAPP_PORT": str(wa_port),
    }


def report(
    watch: Watch,
    attackers: dict,
    hwm: float,
    started_log: dict[str, int],
    reconnect: float | None,
) -> None:
    print(f"\n{machine()}")
    again = "never" if reconnect is None else f"{reconnect:g} s after each close"
    print(f"bot RLIMIT_NOFILE {BOT_NOFILE}; per port: {HELD} held + {SLOW} slow-header")
    print(f"attackers reconnect: {again}\n")
    print(
        f"{'phase':<8} {'RSS max':>8} {'fds max':>8} {'CPU':>6} {'CPU wait':>8} {'log bytes':>10}"
    )
    for phase in PHASES:
        got = [s for s in watch.samples if s.phase == phase]
        if len(got) < 2:
            continue
        span = max(1e-9, got[-1].at - got[0].at)
        cpu = (got[-1].cpu_seconds - got[0].cpu_seconds) / span
        wait = (got[-1].runqueue_seconds - got[0].runqueue_seconds) / span
        logged = got[-1].log_bytes - started_log.get(phase, got[0].log_bytes)
        print(
            f"{phase:<8} {max(s.rss_mb for s in got):>6.0f} MB {max(s.fds for s in got):>8} "
            f"{cpu:>5.0%} {wait:>8.0%} {logged:>10}"
        )
    print(f"peak RSS of the bot (VmHWM): {hwm:.0f} MB; log in all: {watch.log.stat().st_size} B")
    print("\nowners' replies (n, p50, p95, max, no reply in 30 s)")
    channels = ("telegram", "whatsapp", "telegram 404", "whatsapp 404", "emulators' loop lag")
    for channel in channels:
        for phase in (*PHASES, "attack"):
            parts = ("opening", "held") if phase == "attack" else (phase,)
            got = [x for part in parts for x in watch.replies.get((channel, part), [])]
            missed = sum(watch.missed.get((channel, part), 0) for part in parts)
            if not got:
                print(f"  {channel:<12} {phase:<7} none, {missed} missed")
                continue
            print(
                f"  {channel:<12} {phase:<7} n={len(got):<4} p50 {percentile(got, 50):.3f} s"
                f"  p95 {percentile(got, 95):.3f} s  max {max(got):.3f} s  missed {missed}"
            )
    print("\nwhat the attackers saw")
    for name, seen in attackers.items():
        print(f"  {name:<14} {seen}")


async def main(reconnect: float | None) -> None:
    random.seed(20)
    raise_nofile(8_192)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tg = BotApiEmulator(token=TOKEN)
        await tg.start()
        wa = await whatsapp_emulator(WaLimits())
        tg_port, wa_port = free_port(), free_port()
        wa.webhook_url = f"http://127.0.0.1:{wa_port}/whatsapp"
        users = await seed_telegram_owners(folder / "bench.sqlite3", tg, OWNERS, 700_000)
        numbers = [f"62812555000{i:02d}" for i in range(OWNERS)]
        people = [p for _, p in await seed_whatsapp_owners(folder / "bench.sqlite3", wa, numbers)]
        for person in people:
            person.open_window()
        log_path = folder / "bot.log"
        with log_path.open("w") as log:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                "--webhook",
                cwd=ROOT,
                env=bot_env(folder, tg, wa, tg_port, wa_port),
                stdout=log,
                stderr=log,
                preexec_fn=limit_bot_nofile,
            )
        watch = Watch(proc.pid, log_path)
        stop_all, stop_watch = asyncio.Event(), asyncio.Event()
        attackers: dict = {}
        started_log: dict[str, int] = {}
        try:
            await users[0].send("/bantuan", within=60)  # up and serving
            await people[0].say("menu", within=60)
            watcher = asyncio.create_task(watch_process(watch, stop_watch))
            owners = [telegram_owner(u, watch, stop_all) for u in users]
            owners += [whatsapp_owner(p, watch, stop_all) for p in people]
            owners += [probe(tg_port, "telegram", watch, stop_all)]
            owners += [probe(wa_port, "whatsapp", watch, stop_all)]
            chatting = asyncio.gather(*owners)
            await asyncio.sleep(QUIET_SECONDS)
            watch.phase = "opening"
            started_log["opening"] = log_path.stat().st_size
            attack_started = time.monotonic()
            again = [] if reconnect is None else ["--reconnect", str(reconnect)]
            attack_proc = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--attack",
                str(tg_port),
                str(wa_port),
                *again,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            assert attack_proc.stdout is not None and attack_proc.stdin is not None
            ready = await attack_proc.stdout.readline()
            opened_in, opened_cpu = time.monotonic() - attack_started, cpu_seconds(attack_proc.pid)
            print(f"attackers: {ready.decode().strip()} after opening every connection")
            watch.phase = "held"
            started_log["held"] = log_path.stat().st_size
            await asyncio.sleep(ATTACK_SECONDS)
            held_cpu = cpu_seconds(attack_proc.pid) - opened_cpu
            attack_proc.stdin.close()
            attackers = json.loads(await asyncio.wait_for(attack_proc.stdout.readline(), 60))
            await attack_proc.wait()
            watch.phase = "after"
            started_log["after"] = log_path.stat().st_size
            await asyncio.sleep(AFTER_SECONDS)
            stop_all.set()
            await chatting
            stop_watch.set()
            await watcher
            hwm = watch.peak_hwm_mb()
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), 15)
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
            await wa.stop()
            await tg.stop()
        report(watch, attackers, hwm, started_log, reconnect)
        print(
            f"\nthe attackers' process (same machine): opening took {opened_in:.1f} s and "
            f"{opened_cpu:.1f} s of CPU; then {held_cpu:.1f} s of CPU in {ATTACK_SECONDS:.0f} s"
        )
        failed = Counter(str(a) for d in wa.deliveries for a in d.attempts if a != 200)
        print(f"\nWhatsApp emulator: webhook attempts that failed {dict(failed)}")
        print(f"Telegram emulator: last webhook error {tg.queue.last_error}")
        tail = log_path.read_text().splitlines()[-8:]
        print("\nlast lines of the bot's log:\n  " + "\n  ".join(tail))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attack", nargs=2, type=int, metavar=("TG_PORT", "WA_PORT"))
    parser.add_argument(
        "--reconnect",
        type=float,
        metavar="SECONDS",
        help="attackers open a new connection this long after the bot closes one",
    )
    args = parser.parse_args()
    if args.attack:
        asyncio.run(attack(*args.attack, args.reconnect))
    else:
        asyncio.run(main(args.reconnect))
