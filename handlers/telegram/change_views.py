"""Change texts are channel-free; they live in :mod:`bot.services.change_texts`."""

from bot.services.change_texts import differences, told

__all__ = ["differences", "told"]
