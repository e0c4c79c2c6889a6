"""Reading settings from the environment: checks every settings module shares.

The bot's own settings (``bot.app.settings``) and each channel's (``handlers.*.settings``)
read the same kinds of value; a bad one stops start-up with a :class:`ConfigError` that
names the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.errors import ConfigError


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """The whole number of at least 1 in ``env[name]``, or ``default`` when it is unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(name, "must be a whole number of at least 1")
    return int(raw)
