"""Local, strict Telegram Bot API emulator for end-to-end bot tests."""

from simulator.emulator import BotApiEmulator
from simulator.people import BotMessage, FakeUser
from simulator.ratelimit import RateLimits

__all__ = ["BotApiEmulator", "BotMessage", "FakeUser", "RateLimits"]
