"""The scenario fixtures: one bot serving Telegram and WhatsApp, and a person on either."""

from __future__ import annotations

import pytest

from bot.core.notices import ChannelName
from simulator import BotApiEmulator
from simulator.whatsapp import WhatsAppEmulator
from tests.e2e.test_two_channels import both as both
from tests.e2e.test_two_channels import wa as wa
from tests.harness import RunningBot
from tests.scenarios.drivers import Driver, TelegramDriver, WhatsAppDriver

SITI_TELEGRAM = 1001
SITI_WHATSAPP = "6281234567890"


@pytest.fixture(params=[ChannelName.TELEGRAM, ChannelName.WHATSAPP], ids=str)
def channel(request: pytest.FixtureRequest) -> ChannelName:
    """The channel a scenario runs on (each scenario runs on every channel)."""
    return ChannelName(request.param)


@pytest.fixture
def siti(
    channel: ChannelName, both: RunningBot, emulator: BotApiEmulator, wa: WhatsAppEmulator
) -> Driver:
    """Siti, a UKM owner who has not signed up yet, on the scenario's channel."""
    if channel is ChannelName.TELEGRAM:
        person = emulator.user(SITI_TELEGRAM, "Siti", language_code="id", phone="+6281234567890")
        return TelegramDriver(person)
    return WhatsAppDriver(wa.person(SITI_WHATSAPP, name="Siti"), both)
