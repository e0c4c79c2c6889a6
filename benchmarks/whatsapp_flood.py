"""WhatsApp flood: 10 calm owners write while one number, then five, send 200 texts in 10 s.

The real ``dodolan run`` (WhatsApp only) runs in its own process; this script runs the strict
WhatsApp emulator (Meta's limits: 80 messages/s per number, about one message per 6 s to one
person after a burst) and the people. Ten calm owners send "bantuan" every 2 s and time each
first reply. Three phases of 12 s, each with ten fresh owners: calm alone, beside one number
sending 200 texts in 10 s, beside five such numbers. Also prints the CPU time the bot process
and this one (emulator and people) used in each phase.
Prints each phase's p50/p95/max reply time (target: p95 <= 1 s), replies lost (target 0), and
what the flooders got (one "pelan-pelan ya" note each is the design).
Run: .venv/bin/python benchmarks/whatsapp_flood.py          (~1.5 min)
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from common import WA_SECRET, WA_TOKEN, WaLimits, free_port, machine, percentile, whatsapp_emulator

from simulator.whatsapp import WhatsAppEmulator, WhatsAppPerson

CALM = 10
FLOOD_MESSAGES = 200
FLOOD_SECONDS = 10.0
PHASE_SECONDS = 12.0
REPLY_LIMIT = 60.0


def bot_env(emu: WhatsAppEmulator, folder: Path, port: int) -> dict[str, str]:
    """The environment of ``dodolan run`` with WhatsApp only."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DODOLAN_", "WHATSAPP_"))
    }
    return {
        **keep,
        "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": emu.phone_number_id,
        "WHATSAPP_APP_SECRET": WA_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_BUSINESS_ACCOUNT_ID": emu.waba_id,
        "WHATSAPP_API_BASE_URL": emu.base_url,
        "DODOLAN_WHATSAPP_PORT": str(port),
        "DODOLAN_DATABASE": str(folder / "bench.sqlite3"),
    }


async def listening(port: int, proc: asyncio.subprocess.Process) -> None:
    """Wait until the bot's webhook port accepts connections."""
    for _ in range(300):
        if proc.returncode is not None:
            raise RuntimeError("dodolan run exited")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError("the bot never listened")


async def calm_owners(emu: WhatsAppEmulator, group: int) -> list[WhatsAppPerson]:
    """Ten owners who have written once (their window is open). Fresh ones for each phase:
    WhatsApp lets a business send one person about one message in 6 s after a burst of 20,
    and a phase's "bantuan" every 2 s would use up that burst on its own."""
    owners = [emu.person(f"628510{group}0000{n:02d}", name=f"Pemilik {n}") for n in range(CALM)]
    for person in owners:
        await person.say("bantuan", within=REPLY_LIMIT)
    return owners


async def calm(person: WhatsAppPerson, ends: float, times: list[float], lost: list[int]) -> None:
    """Send "bantuan" every 2 s until ``ends``; time each first reply."""
    await asyncio.sleep(random.uniform(0.0, 2.0))
    while time.monotonic() < ends:
        started = time.perf_counter()
        try:
            await person.say("bantuan", within=REPLY_LIMIT)
            times.append(time.perf_counter() - started)
        except AssertionError:
            lost.append(1)
        await asyncio.sleep(2.0)


async def flood(person: WhatsAppPerson) -> None:
    """FLOOD_MESSAGES texts in FLOOD_SECONDS, not waiting for any answer."""
    emu = person.emu
    for n in range(FLOOD_MESSAGES):
        message = person._message({"type": "text", "text": {"body": f"halo {n}"}}, None)
        emu.webhooks.enqueue("message", emu.payloads.message(person.contact, message))
        await asyncio.sleep(FLOOD_SECONDS / FLOOD_MESSAGES)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def phase(
    owners: list[WhatsAppPerson], flooders: list[WhatsAppPerson], pid: int
) -> tuple[list[float], int, float]:
    times: list[float] = []
    lost: list[int] = []
    cpu, own = cpu_seconds(pid), time.process_time()
    ends = time.monotonic() + PHASE_SECONDS
    tasks = [calm(p, ends, times, lost) for p in owners] + [flood(p) for p in flooders]
    await asyncio.gather(*tasks)
    return times, len(lost), cpu_seconds(pid) - cpu, time.process_time() - own


def line(name: str, times: list[float], lost: int, cpu: float, own: float) -> str:
    return (
        f"{name:<26} replies {len(times):>3}  p50 {percentile(times, 50):5.3f} s  "
        f"p95 {percentile(times, 95):5.3f} s  max {max(times):5.3f} s  lost {lost}  "
        f"CPU in {PHASE_SECONDS:.0f} s: bot {cpu:4.1f} s, emulator+people {own:4.1f} s"
    )


async def main() -> None:
    random.seed(20)
    print(machine())
    emu = await whatsapp_emulator(WaLimits())
    port = free_port()
    emu.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    emu.reply_timeout = REPLY_LIMIT
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        log = (folder / "bot.log").open("w")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=folder,
            env=bot_env(emu, folder, port),
            stdout=log,
            stderr=log,
        )
        try:
            await listening(port, proc)
            results = [("calm alone", *await phase(await calm_owners(emu, 0), [], proc.pid))]
            one = [emu.person("6285900000001", name="Penyebar")]
            owners = await calm_owners(emu, 1)
            results.append(("beside 1 flooding number", *await phase(owners, one, proc.pid)))
            await asyncio.sleep(8.0)  # let the first flood's tail settle
            five = [emu.person(f"62859100000{n:02d}", name=f"Penyebar {n}") for n in range(5)]
            owners = await calm_owners(emu, 2)
            results.append(("beside 5 flooding numbers", *await phase(owners, five, proc.pid)))
            await emu.drain()
            await asyncio.sleep(45.0)  # the flooders' paced answers and notes go out
            for name_, times, lost, cpu, own in results:
                print(line(name_, times, lost, cpu, own))
            for label, group in (("the one flooder", one), ("the five flooders", five)):
                got = [[m.text or m.body or "" for m in who.messages] for who in group]
                notes = [sum("Pelan-pelan" in t for t in texts) for texts in got]
                print(
                    f"{label}: messages received of {FLOOD_MESSAGES} sent "
                    f"{[len(t) for t in got]}, slow-down notes {notes}"
                )
            print(f"emulator violations: {len(emu.violations)}")
        finally:
            proc.terminate()
            await proc.wait()
            log.close()
            await emu.stop()


if __name__ == "__main__":
    asyncio.run(main())
