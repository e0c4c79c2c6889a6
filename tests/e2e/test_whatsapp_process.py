"""``dodolan`` with WhatsApp as an operator runs it: alone, half configured, and the
template commands, as real processes against the strict WhatsApp emulator."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.whatsapp.templates import load
from simulator.whatsapp import WhatsAppEmulator
from tests.e2e.test_process import bot_process, clean_env, free_port, run_cli

TOKEN = "EAAG-process-token-secret"
SECRET = "process-app-secret"


@pytest.fixture
async def wa() -> AsyncIterator[WhatsAppEmulator]:
    emu = WhatsAppEmulator(access_token=TOKEN, app_secret=SECRET, reply_timeout=20.0)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def wa_env(emu: WhatsAppEmulator, tmp_path: Path, port: int) -> dict[str, str]:
    return {
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": emu.phone_number_id,
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": "verify-process",
        "WHATSAPP_BUSINESS_ACCOUNT_ID": emu.waba_id,
        "WHATSAPP_API_BASE_URL": emu.base_url,
        "DODOLAN_WHATSAPP_PORT": str(port),
        "DODOLAN_DATABASE": str(tmp_path / "dodolan.sqlite3"),
    }


async def cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    """Run ``python -m bot ARGS`` without blocking the loop the emulator serves on."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=clean_env(**env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def test_half_configured_whatsapp_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "run", WHATSAPP_ACCESS_TOKEN="EAAG-x")
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "WHATSAPP_APP_SECRET" in err
    assert "EAAG-x" not in err


def test_the_four_webhook_variables_without_the_business_account_are_refused(
    tmp_path: Path,
) -> None:
    """The README once said four variables turn WhatsApp on; the fifth is needed to read the
    templates' statuses, so a start without it is refused up front, not with a traceback."""
    env = {
        "WHATSAPP_ACCESS_TOKEN": "EAAG-four",
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "WHATSAPP_APP_SECRET": "four-secret",
        "WHATSAPP_VERIFY_TOKEN": "four-verify",
        "DODOLAN_DATABASE": str(tmp_path / "dodolan.sqlite3"),
    }
    code, out, err = run_cli(tmp_path, "run", **env)
    assert (code, out) == (2, ""), err
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "WHATSAPP_BUSINESS_ACCOUNT_ID" in err
    assert "EAAG-four" not in err and "four-secret" not in err


async def test_templates_are_submitted_then_shown_with_meta_verdicts(
    tmp_path: Path, wa: WhatsAppEmulator
) -> None:
    env = wa_env(wa, tmp_path, free_port())
    code, out = await cli(tmp_path, "whatsapp", "templates", "submit", **env)
    assert code == 0, out
    versions = load().templates
    assert all(wa.template(t.name, t.language).status == "PENDING" for t in versions)
    code, out = await cli(tmp_path, "whatsapp", "templates", "status", **env)
    total = len(versions)  # every template in every language of content/
    assert code == 1 and f"0 of {total} approved" in out  # all PENDING: the bot would not send
    for template in versions:
        wa.approve_template(template.name, template.language)
    code, out = await cli(tmp_path, "whatsapp", "templates", "status", **env)
    assert code == 0 and f"{total} of {total} approved" in out
    code, out = await cli(tmp_path, "whatsapp", "templates", "submit", **env)
    assert code == 0 and "already at Meta" in out  # submitting twice creates nothing twice
    assert TOKEN not in out


async def test_whatsapp_alone_answers_an_owner_and_stops_on_sigterm(
    tmp_path: Path, wa: WhatsAppEmulator
) -> None:
    port = free_port()
    async with bot_process(tmp_path, **wa_env(wa, tmp_path, port)) as bot:
        wa.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
        await bot.lines.line("Dodolan started on WhatsApp")  # its webhook listens
        siti = wa.person("6281234567890", name="Siti")
        replies = await siti.say("halo")
        assert replies, "the bot answered nothing"
        code, _ = await bot.terminate()
        log = bot.output()
    assert code == 0, log
    assert TOKEN not in log and SECRET not in log
    assert "6281234567890" not in log  # phone numbers stay out of the log
    wa.assert_no_violations()
