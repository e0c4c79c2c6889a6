"""A thin async client for Meta's Graph API (WhatsApp Cloud API), on httpx.

Not pywa: Dodolan points the base URL at a local emulator in tests and the demo, and its
webhook needs the raw request bytes for the signature check; pywa wraps both in its own
server and session. This module sends the bodies that ``payloads`` builds (and
a few management calls) and turns Meta's answers into the domain's delivery errors.

Meta's error codes (the HTTP error body's ``error.code``) map onto ``bot.core.errors``::

    DeliveryError
    ├── Unreachable          131026 not a WhatsApp user / cannot receive; 131030 not a test number
    ├── OutsideWindow        131047 more than 24 h since the person last wrote
    ├── RetryLater           131056 pair rate limit: this recipient only, after ~6 s
    │   │                    131049 per-user marketing cap ("healthy ecosystem"): after 1 h
    │   │                    130429, 131057, 131048, 80007, 4: the whole number (everyone=True)
    │   ├── MetaFault        network error, timeout, HTTP 5xx; 1, 2, 131000, 131016 (Meta's
    │   │                    side, everyone=True); ``uncertain`` when the request may have
    │   │                    reached Meta (a timeout or a cut connection after sending);
    │   │                    ``own_delay`` when Meta said how long to wait (Retry-After)
    │   └── TokenRejected    190 or HTTP 401: the access token expired or was revoked;
    │                        everyone waits 10 min, nothing queued is lost; rotate the token
    └── Rejected             any other 4xx: the same message will never be accepted
        ├── MarketingStopped 131050 the person stopped marketing messages (utility still works)
        └── TemplateProblem  132000, 132001, 132012, 132015, 132016: the template is missing,
                             not approved in that language, paused, disabled, or got the wrong
                             parameters; carries ``template`` and ``code`` so staff can be told

131050 is a ``Rejected`` subclass rather than ``Unreachable``: the person can still get
utility templates and replies, so only marketing sends to them must stop.

Logs carry codes, HTTP statuses and wamid tags only (``logsafe.tag``: a wamid spells out the
recipient's number): never the token, a phone number, a wamid or a text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from bot.core.errors import (
    DeliveryError,
    OutsideWindow,
    Rejected,
    RetryLater,
    Unreachable,
)
from handlers.whatsapp.logsafe import tag
from handlers.whatsapp.payloads import Payload
from handlers.whatsapp.settings import WhatsAppSettings

logger = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
PAIR_DELAY = timedelta(seconds=6)
MARKETING_CAP_DELAY = timedelta(hours=1)
THROUGHPUT_DELAY = timedelta(seconds=2)
CHANNEL_DELAY = timedelta(seconds=60)
FAULT_DELAY = timedelta(seconds=30)
TOKEN_DELAY = timedelta(minutes=10)
TEMPLATE_CODES = frozenset({132000, 132001, 132012, 132015, 132016})
_UNREACHABLE = frozenset({131026, 131030})
_META_FAULTS = frozenset({1, 2, 131000, 131016})
_CHANNEL_LIMITS = {
    130429: THROUGHPUT_DELAY,
    131057: CHANNEL_DELAY,
    131048: CHANNEL_DELAY * 5,
    80007: CHANNEL_DELAY,
    4: CHANNEL_DELAY,
}


class TokenRejected(RetryLater):
    """Meta refused the access token (code 190 or HTTP 401); operators must rotate it."""

    def __init__(self, code: int) -> None:
        super().__init__(
            f"whatsapp {code}: access token rejected; rotate WHATSAPP_ACCESS_TOKEN",
            TOKEN_DELAY,
            everyone=True,
        )
        self.code = code


class MetaFault(RetryLater):
    """Meta failed or could not be reached; the whole number waits (see ``outage``)."""

    def __init__(
        self, reason: str, retry_after: timedelta | None = None, *, uncertain: bool = False
    ) -> None:
        super().__init__(reason, retry_after or FAULT_DELAY, everyone=True, uncertain=uncertain)
        self.own_delay = retry_after is not None


# httpx errors raised before the request could reach Meta: a send failing so did not happen.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _retry_after(response: httpx.Response) -> timedelta | None:
    """The ``Retry-After`` of an answer, in seconds, if it gives one."""
    value = response.headers.get("Retry-After", "").strip()
    return timedelta(seconds=min(int(value), 86_400)) if value.isdigit() else None


class MarketingStopped(Rejected):
    """The person stopped marketing messages (131050); other categories still reach them."""


class TemplateProblem(Rejected):
    """A template could not be used (missing, unapproved, paused, disabled, bad params)."""

    def __init__(self, reason: str, template: str, code: int) -> None:
        super().__init__(reason)
        self.template = template
        self.code = code


@dataclass(frozen=True)
class TemplateInfo:
    """One template as Meta lists it."""

    id: str
    name: str
    language: str
    status: str
    category: str


def _error_fields(response: httpx.Response) -> tuple[int | None, str]:
    """Meta's ``error.code`` and ``error.fbtrace_id`` (no message text: it may hold data)."""
    try:
        error = response.json().get("error") or {}
        code = error.get("code")
        return (int(code) if code is not None else None), str(error.get("fbtrace_id", ""))
    except (ValueError, AttributeError, TypeError):
        return None, ""


def error_for(
    status: int,
    code: int | None,
    template: str | None = None,
    retry_after: timedelta | None = None,
) -> DeliveryError:
    """The domain error for one refused Graph request."""
    label = f"whatsapp {code if code is not None else f'http {status}'}"
    if code == 190 or status == 401:
        return TokenRejected(code if code is not None else 401)
    if code in _UNREACHABLE:
        return Unreachable(f"{label}: the recipient cannot receive WhatsApp messages here")
    if code == 131047:
        return OutsideWindow(f"{label}: outside the 24-hour window; a template is needed")
    if code == 131056:
        return RetryLater(f"{label}: too many messages to this person", PAIR_DELAY)
    if code == 131049:
        return RetryLater(f"{label}: per-user marketing limit", MARKETING_CAP_DELAY)
    if code in _CHANNEL_LIMITS:
        return RetryLater(f"{label}: rate limit", _CHANNEL_LIMITS[code], everyone=True)
    if code == 131050:
        return MarketingStopped(f"{label}: the person stopped marketing messages")
    if code in TEMPLATE_CODES:
        name = template or "?"
        return TemplateProblem(f"{label}: template {name} cannot be used", name, code)
    if status >= 500 or code in _META_FAULTS:
        return MetaFault(f"{label}: fault on Meta's side", retry_after)
    return Rejected(f"{label}: request refused")


class GraphClient:
    """Calls to the Graph API for one business phone number (and its business account)."""

    def __init__(
        self, settings: WhatsAppSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._phone_id = settings.phone_number_id
        self._waba_id = settings.business_account_id
        self._http = httpx.AsyncClient(
            base_url=settings.graph_url + "/",
            headers={"Authorization": f"Bearer {settings.access_token}"},
            timeout=TIMEOUT,
            transport=transport,
        )

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    async def _request(
        self, method: str, path: str, template: str | None = None, **kwargs: Any
    ) -> Payload:
        """Send one request; return its JSON body or raise the mapped domain error."""
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:  # connection refused, timeout, broken stream
            logger.warning("graph %s %s failed: %s", method, path, type(exc).__name__)
            raise MetaFault(
                f"whatsapp network error: {type(exc).__name__}",
                uncertain=not isinstance(exc, _NOT_SENT),
            ) from None
        if response.is_success:
            try:
                return dict(response.json())
            except (ValueError, TypeError):
                raise Rejected(
                    f"whatsapp http {response.status_code}: unreadable answer"
                ) from None
        code, trace = _error_fields(response)
        error = error_for(response.status_code, code, template, _retry_after(response))
        urgent = isinstance(error, TokenRejected | TemplateProblem)
        logger.log(
            logging.ERROR if urgent else logging.WARNING,
            "graph refused %s: code %s, http %s, template %s, trace %s (%s)",
            path,
            code,
            response.status_code,
            template or "-",
            trace,
            type(error).__name__,
        )
        raise error

    async def send(self, payload: Payload) -> str:
        """Send one message; return its wamid."""
        template = payload.get("template", {}).get("name")
        body = await self._request("POST", f"{self._phone_id}/messages", template, json=payload)
        try:
            wamid = str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise Rejected("whatsapp: the answer carried no message id") from None
        logger.info("sent %s message %s", payload.get("type"), tag(wamid))
        return wamid

    async def mark_read(self, wamid: str, *, typing: bool = False) -> None:
        """Mark an inbound message read (blue ticks), optionally showing a typing indicator."""
        payload: Payload = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        if typing:
            payload["typing_indicator"] = {"type": "text"}
        await self._request("POST", f"{self._phone_id}/messages", json=payload)

    async def upload_media(self, name: str, mime: str, content: bytes) -> str:
        """Upload a file for later sends; return its media id."""
        body = await self._request(
            "POST",
            f"{self._phone_id}/media",
            data={"messaging_product": "whatsapp", "type": mime},
            files={"file": (name, content, mime)},
        )
        return str(body["id"])

    def _waba(self) -> str:
        if self._waba_id is None:
            raise RuntimeError("templates need WHATSAPP_BUSINESS_ACCOUNT_ID to be set")
        return self._waba_id

    async def create_template(self, request: Payload) -> Payload:
        """Submit a template for review (the body from ``templates.to_graph``); Meta's answer."""
        name = str(request.get("name", "?"))
        answer = await self._request(
            "POST", f"{self._waba()}/message_templates", name, json=request
        )
        logger.info("template %s submitted: %s", name, answer.get("status"))
        return answer

    async def list_templates(self) -> list[TemplateInfo]:
        """Every template of the business account, following Meta's paging."""
        found: list[TemplateInfo] = []
        params: dict[str, str] = {"fields": "id,name,language,status,category", "limit": "100"}
        while True:
            body = await self._request("GET", f"{self._waba()}/message_templates", params=params)
            found += [_template_info(item) for item in body.get("data", [])]
            after = body.get("paging", {}).get("cursors", {}).get("after")
            if not after or not body.get("paging", {}).get("next"):
                return found
            params = {**params, "after": str(after)}


def _template_info(item: Payload) -> TemplateInfo:
    return TemplateInfo(
        id=str(item.get("id", "")),
        name=str(item.get("name", "")),
        language=str(item.get("language", "")),
        status=str(item.get("status", "")),
        category=str(item.get("category", "")),
    )
