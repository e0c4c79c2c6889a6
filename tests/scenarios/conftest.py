"""The scenario fixtures: one bot serving Telegram and WhatsApp, a plain-text test edge over
the same services, and a person on any of the three (Siti; Budi, a second owner on the same
channel, for journeys between two owners such as a freed seat).

A scenario whose journey still needs a decision that only an edge makes cannot run on the
text channel; it says so with ``@pytest.mark.text_edge_decides("handlers/...")``, which makes
its text-channel run a strict xfail naming that edge module (visible, not hidden: once the
decision moves into ``bot/services`` the run passes and the mark must go).
"""

from __future__ import annotations

import pytest

from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from tests.e2e.test_two_channels import both as both
from tests.e2e.test_two_channels import wa as wa
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver, TelegramDriver, TextDriver, WhatsAppDriver
from tests.scenarios.text_channel import FIRST_TEXT_ID, TEXT, TextEdge

SITI_TELEGRAM = 1001
SITI_WHATSAPP = "6281234567890"
SITI_PHONE = "+6281234567890"
BUDI_TELEGRAM = 1002
BUDI_WHATSAPP = "6281398765432"
BUDI_PHONE = "+6281398765432"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "text_edge_decides(module): the journey needs a decision only this edge module makes",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Turn ``text_edge_decides`` into a strict xfail of the text-channel run."""
    for item in items:
        mark = item.get_closest_marker("text_edge_decides")
        callspec = getattr(item, "callspec", None)
        if mark is None or callspec is None or callspec.params.get("channel") != TEXT:
            continue
        reason = f"the text channel is core-only; this decision still lives in {mark.args[0]}"
        item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.fixture(params=[ChannelName.TELEGRAM, ChannelName.WHATSAPP, TEXT], ids=str)
def channel(request: pytest.FixtureRequest) -> ChannelName:
    """The channel a scenario runs on (each scenario runs on every channel)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def text_edge(both: RunningBot) -> TextEdge:
    """The plain-text test edge over the bot's services (one for everyone in a scenario)."""
    return TextEdge(both.services)


@pytest.fixture
def siti(
    channel: ChannelName,
    both: RunningBot,
    emulator: BotApiEmulator,
    wa: WhatsAppEmulator,
    text_edge: TextEdge,
) -> Driver:
    """Siti, a UKM owner who has not signed up yet, on the scenario's channel."""
    if channel is ChannelName.TELEGRAM:
        person = emulator.user(SITI_TELEGRAM, "Siti", language_code="id", phone=SITI_PHONE)
        return TelegramDriver(person, both)
    if channel == TEXT:
        return TextDriver(text_edge, FIRST_TEXT_ID + 1, SITI_PHONE)
    return WhatsAppDriver(wa.person(SITI_WHATSAPP, name="Siti"), both)


@pytest.fixture
def budi(
    channel: ChannelName,
    both: RunningBot,
    emulator: BotApiEmulator,
    wa: WhatsAppEmulator,
    text_edge: TextEdge,
) -> Driver:
    """Budi, another owner who has not signed up yet, on the same channel as Siti."""
    if channel is ChannelName.TELEGRAM:
        person = emulator.user(BUDI_TELEGRAM, "Budi", language_code="id", phone=BUDI_PHONE)
        return TelegramDriver(person, both)
    if channel == TEXT:
        return TextDriver(text_edge, FIRST_TEXT_ID + 2, BUDI_PHONE)
    return WhatsAppDriver(wa.person(BUDI_WHATSAPP, name="Budi"), both)
