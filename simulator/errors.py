"""Bot API error raised by emulator method handlers and validators."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional retry_after."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        violation: bool = True,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.violation = violation

    def body(self) -> dict[str, Any]:
        """Return the JSON body Telegram would send for this error."""
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(reason: str) -> ApiError:
    """Build a 400 Bad Request error."""
    return ApiError(400, f"Bad Request: {reason}")
