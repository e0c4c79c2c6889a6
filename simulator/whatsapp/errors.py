"""Graph API errors as the Cloud API answers them: HTTP status plus Meta's error object.

``GraphError.violation`` says whether the bot was at fault (a request Meta would refuse that a
correct bot never makes): those land in ``emu.violations``. Throttling, unreachable people,
injected faults and the messaging tier are conditions the bot must handle, not bugs.
"""

from __future__ import annotations

import secrets
from typing import Any

TITLES = {
    1: "An unknown error occurred",
    2: "Service temporarily unavailable",
    100: "Invalid parameter",
    190: "Invalid OAuth access token - Cannot parse access token",
    130429: "Rate limit hit",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131051: "Unsupported message type",
    131053: "Media upload error",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132015: "Template is Paused",
    132016: "Template is Disabled",
    132018: "There was an issue with the parameters in your template.",
}
_HTTP = {1: 500, 2: 503, 190: 401, 132001: 404}


def fbtrace_id() -> str:
    """A random trace id shaped like Meta's."""
    return "A" + secrets.token_urlsafe(16).replace("-", "x").replace("_", "y")[:22]


class GraphError(Exception):
    """One refused request: Meta's error code, title, details and HTTP status."""

    def __init__(
        self,
        code: int,
        details: str,
        *,
        violation: bool = False,
        http_status: int | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(f"({code}) {details}")
        self.code = code
        self.details = details
        self.violation = violation
        self.http_status = http_status or _HTTP.get(code, 400)
        self.title = title or TITLES.get(code, "Error")

    def body(self) -> dict[str, Any]:
        """The JSON body Meta sends for this error."""
        error: dict[str, Any] = {
            "message": f"(#{self.code}) {self.title}",
            "type": "OAuthException",
            "code": self.code,
        }
        if self.code == 190:
            error["message"] = self.title
        else:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}

    def status_error(self) -> dict[str, Any]:
        """The same error as it appears in a ``failed`` status webhook."""
        return {
            "code": self.code,
            "title": self.title,
            "message": self.title,
            "error_data": {"details": self.details},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }


def invalid(details: str) -> GraphError:
    """A request Meta refuses as an invalid parameter (code 100); always a bot bug."""
    return GraphError(100, details, violation=True)


def unauthorized() -> GraphError:
    """A missing or wrong access token (code 190, HTTP 401)."""
    return GraphError(190, "invalid access token", violation=True)


def no_such_object(object_id: str) -> GraphError:
    """A path id that is not this emulator's phone number, WABA or media."""
    return GraphError(
        100,
        f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        violation=True,
        title="Unsupported request",
    )
