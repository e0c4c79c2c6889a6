"""Domain errors raised by services and the configuration loader.

The hierarchy, drawn once::

    DodolanError
    ├── ConfigError          a setting is missing or invalid (the CLI exits 2)
    ├── NotAllowed           the user lacks the role this action needs
    ├── StaleAction          a button or answer no longer fits the conversation; nothing changed
    ├── NotRegistered        the action needs a finished sign-up
    └── Refusal              a rule says no; carries the catalog key that explains it
        ├── InvalidInput     a value the user typed or tapped does not fit
        └── BookingRefused   a booking or programme rule (full, past the cut-off, ...)
    DeliveryError        a channel could not deliver a notice (raised by a Channel's send)
    ├── Unreachable      the person cannot be reached there (blocked the bot, not a number)
    ├── RetryLater       a rate limit or a passing fault; try again after ``delay``
    ├── Rejected         the platform refused this message; sending it again will not help
    └── OutsideWindow    free-form messages are not allowed now (WhatsApp's 24-hour window)
    DatabaseUnavailable  the database cannot be written (read-only, no folder, a full disk);
                         raised by storage, not a DodolanError: no rule refused anything

Handlers turn each into a friendly message in the user's language; nothing below
``handlers/`` knows how it will be shown.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path


class DodolanError(Exception):
    """Base class of every error Dodolan raises on purpose."""


class ConfigError(DodolanError):
    """A setting is missing or invalid; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}")
        self.variable = variable


class NotAllowed(DodolanError):
    """The user does not hold the role the action requires."""

    def __init__(self, user_id: int, role: str) -> None:
        super().__init__(f"user {user_id} lacks role {role}")
        self.user_id = user_id
        self.role = role


class Refusal(DodolanError):
    """A rule says no; ``key`` names the catalog text that explains why, with ``params``."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class InvalidInput(Refusal):
    """A value the user typed or tapped does not fit."""


class StaleAction(DodolanError):
    """A button or answer no longer fits the conversation's state; nothing was changed."""


class NotRegistered(DodolanError):
    """The action needs a finished sign-up."""


class BookingRefused(Refusal):
    """A booking or programme rule says no: full, past the cut-off, closed, ..."""


class DeliveryError(DodolanError):
    """A channel could not deliver a notice; ``reason`` is short and holds no personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unreachable(DeliveryError):
    """The recipient cannot be reached on this channel (blocked the bot, not on WhatsApp)."""


class RetryLater(DeliveryError):
    """A rate limit or passing fault; the same send may succeed after ``delay``."""

    def __init__(
        self, reason: str, delay: timedelta, *, everyone: bool = False, uncertain: bool = False
    ) -> None:
        super().__init__(reason)
        self.delay = delay
        self.everyone = everyone  # the limit is the channel's, not this recipient's
        self.uncertain = uncertain  # the request went out: the message may have arrived


class Rejected(DeliveryError):
    """The platform refused this message (bad request, template missing); do not resend."""


class OutsideWindow(DeliveryError):
    """Only approved templates may be sent now (WhatsApp's 24-hour customer-service window)."""


class DatabaseUnavailable(Exception):
    """The database cannot be opened for writing: a read-only file or folder, no such folder
    that can be made, or a full disk. The message says which file and why, in one line."""

    def __init__(self, path: Path, error: BaseException) -> None:
        reason = getattr(error, "strerror", None) or str(error)
        super().__init__(
            f"cannot write the database {path}: {reason} "
            "(check that the file and its folder are writable and the disk has room)"
        )
        self.path = path
