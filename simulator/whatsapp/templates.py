"""Message templates: creation checks, status, listing, and sending (count checks, rendering).

Positional parameters only (``{{1}}``, ``{{2}}``…); text headers; QUICK_REPLY, URL and
PHONE_NUMBER buttons. Sending needs the template APPROVED in exactly the requested language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from simulator.whatsapp.errors import GraphError, invalid

STATUSES = ("PENDING", "APPROVED", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "FLAGGED")
_VAR = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_BAD_PARAM = re.compile(r"[\n\t]| {5,}")


def variables(text: str) -> list[int]:
    """The positional variables in a template text, in order of appearance."""
    return [int(n) for n in _VAR.findall(text)]


@dataclass
class Template:
    """One template in one language."""

    template_id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    status: str = "PENDING"
    reason: str = "NONE"

    def part(self, kind: str) -> dict[str, Any] | None:
        """The HEADER, BODY, FOOTER or BUTTONS component."""
        return next((c for c in self.components if c["type"] == kind), None)

    def text_of(self, kind: str) -> str:
        """The text of a component ('' when absent)."""
        part = self.part(kind)
        return str(part.get("text", "")) if part else ""

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The template's buttons in order."""
        part = self.part("BUTTONS")
        return list(part["buttons"]) if part else []

    def listing(self) -> dict[str, Any]:
        """The template as GET message_templates lists it."""
        return {
            "name": self.name,
            "parameter_format": "POSITIONAL",
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.template_id,
        }


def _check_vars(text: str, where: str, most: int | None = None) -> int:
    """Variables must be {{1}}..{{n}} in order, not at the very start or end of a body."""
    found = variables(text)
    if found != list(range(1, len(found) + 1)):
        raise invalid(f"{where} variables must be numbered {{{{1}}}}, {{{{2}}}}, … in order.")
    if most is not None and len(found) > most:
        raise invalid(f"{where} may have at most {most} variable(s).")
    return len(found)


def _check_body(part: dict[str, Any]) -> None:
    """Body: 1..1024 characters, examples for every variable, no leading/trailing variable."""
    text = str(part.get("text", ""))
    if not 1 <= len(text) <= 1024:
        raise invalid("Template body text must be 1 to 1024 characters long.")
    count = _check_vars(text, "Body")
    if count and (_VAR.match(text.strip()) or re.search(r"\{\{\s*\d+\s*\}\}$", text.strip())):
        raise invalid("Variables can't be at the start or end of the template body.")
    if count:
        rows = part.get("example", {}).get("body_text", [])
        if len(rows) != 1 or len(rows[0]) != count:
            raise invalid(
                f"Template body has {count} variable(s): example.body_text needs one "
                f"row of {count} sample value(s)."
            )


def _check_other(part: dict[str, Any]) -> None:
    """Header (TEXT, <= 60, <= 1 variable with example), footer (<= 60, static), buttons."""
    kind, text = part["type"], str(part.get("text", ""))
    if kind == "HEADER":
        if part.get("format", "TEXT") != "TEXT" or not 1 <= len(text) <= 60:
            raise invalid("Template header must be TEXT of 1 to 60 characters.")
        if (
            _check_vars(text, "Header", most=1)
            and len(part.get("example", {}).get("header_text", [])) != 1
        ):
            raise invalid("Template header variable needs example.header_text.")
    elif kind == "FOOTER":
        if not 1 <= len(text) <= 60 or variables(text):
            raise invalid("Template footer must be 1 to 60 characters without variables.")
    elif kind == "BUTTONS":
        for button in part.get("buttons", []):
            need = {"URL": "url", "PHONE_NUMBER": "phone_number"}.get(button["type"])
            if need and need not in button:
                raise invalid(f"A {button['type']} button needs {need}.")


def check_create(body: dict[str, Any]) -> None:
    """Rules of template creation beyond the schema."""
    if body.get("parameter_format", "POSITIONAL") != "POSITIONAL":
        raise GraphError(
            131051, "NAMED parameters are not supported by the Dodolan emulator", violation=True
        )
    if not _LANGUAGE.match(body["language"]):
        raise invalid(f"Invalid language code {body['language']!r}.")
    kinds = [c["type"] for c in body["components"]]
    if kinds.count("BODY") != 1 or any(kinds.count(k) > 1 for k in set(kinds)):
        raise invalid("A template needs exactly one BODY and at most one of each other part.")
    for part in body["components"]:
        if part["type"] == "BODY":
            _check_body(part)
        else:
            _check_other(part)


@dataclass
class Rendered:
    """What the recipient of a template message sees."""

    header: str | None
    body: str
    footer: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)


def _texts(params: list[dict[str, Any]], where: str) -> list[str]:
    """Parameter values as shown (currency/date_time by fallback_value)."""
    out: list[str] = []
    for param in params:
        kind = param["type"]
        value = param.get("text") if kind == "text" else param.get(kind, {}).get("fallback_value")
        if not isinstance(value, str):
            raise invalid(f"{where} parameters of type {kind!r} are not supported here.")
        if kind == "text" and _BAD_PARAM.search(value):
            raise GraphError(
                132018,
                "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
                violation=True,
            )
        out.append(value)
    return out


def _fill(text: str, values: list[str], where: str) -> str:
    """Replace {{n}} by the n-th value; the counts must match exactly."""
    wanted = len(variables(text))
    if wanted != len(values):
        raise GraphError(
            132000,
            f"Number of parameters does not match the expected number of params: {where} "
            f"expects {wanted}, got {len(values)}.",
            violation=True,
        )
    return _VAR.sub(lambda m: values[int(m.group(1)) - 1], text)


def render(template: Template, components: list[dict[str, Any]]) -> Rendered:
    """Check a send's components against the template and render it."""
    given: dict[str, list[dict[str, Any]]] = {"header": [], "body": []}
    payloads: dict[int, str] = {}
    for comp in components:
        if comp["type"] == "button":
            payloads.update(_button_payload(template, comp, payloads))
        else:
            given[comp["type"]].extend(comp.get("parameters", []))
    header = template.part("HEADER")
    if header is None and given["header"]:
        raise GraphError(132000, "The template has no header to take parameters.", violation=True)
    buttons = [
        {
            "index": i,
            "type": b["type"],
            "text": b["text"],
            "payload": payloads.get(i, b["text"]) if b["type"] == "QUICK_REPLY" else None,
        }
        for i, b in enumerate(template.buttons)
    ]
    return Rendered(
        header=_fill(header["text"], _texts(given["header"], "header"), "header")
        if header
        else None,
        body=_fill(template.text_of("BODY"), _texts(given["body"], "body"), "body"),
        footer=template.text_of("FOOTER") or None,
        buttons=buttons,
    )


def _button_payload(
    template: Template, comp: dict[str, Any], seen: dict[int, str]
) -> dict[int, str]:
    """The payload a quick_reply component sets for the button at its index."""
    index = int(comp["index"])
    buttons = template.buttons
    if index >= len(buttons) or index in seen:
        raise GraphError(
            132000, f"Template has no (other) button at index {index}.", violation=True
        )
    wanted = {"quick_reply": "QUICK_REPLY", "url": "URL"}.get(comp["sub_type"])
    if buttons[index]["type"] != wanted:
        raise invalid(
            f"Button {index} of the template is {buttons[index]['type']}, not {comp['sub_type']}."
        )
    param = comp["parameters"][0]
    if len(comp["parameters"]) != 1 or param["type"] != (
        "payload" if wanted == "QUICK_REPLY" else "text"
    ):
        raise GraphError(132000, f"Button {index} takes exactly one parameter.", violation=True)
    return (
        {index: str(param.get("payload", param.get("text", "")))}
        if wanted == "QUICK_REPLY"
        else {}
    )


class TemplateStore:
    """The templates of the WhatsApp Business Account, keyed by (name, language)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Template] = {}
        self._next_id = 1_689_556_908_129_832

    def create(self, body: dict[str, Any]) -> Template:
        """Add a PENDING template (the body already passed the schema)."""
        check_create(body)
        key = (body["name"], body["language"])
        if key in self.items:
            raise invalid(f"Content in this language already exists: {key[0]} ({key[1]}).")
        template = Template(
            str(self._next_id),
            body["name"],
            body["language"],
            body["category"],
            body["components"],
        )
        self._next_id += 3
        self.items[key] = template
        return template

    def get(self, name: str, language: str) -> Template:
        """The template or a KeyError naming what exists."""
        template = self.items.get((name, language))
        if template is None:
            known = sorted(f"{n} ({lang})" for n, lang in self.items)
            raise KeyError(f"no template {name!r} in {language!r}; known: {known}")
        return template

    def sendable(self, name: str, language: str) -> Template:
        """The template if it can be sent now, else Meta's error for why not."""
        template = self.items.get((name, language))
        if template is None:
            others = sorted(lang for n, lang in self.items if n == name)
            raise GraphError(
                132001,
                f"template name ({name}) does not exist in {language}"
                + (f" (it exists in {', '.join(others)})" if others else ""),
                violation=True,
            )
        if template.status == "PAUSED":
            raise GraphError(132015, f"Template {name} ({language}) is paused.")
        if template.status == "DISABLED":
            raise GraphError(132016, f"Template {name} ({language}) is disabled.")
        if template.status != "APPROVED":
            raise GraphError(
                132001, f"template {name} ({language}) is {template.status}, not approved"
            )
        return template

    def listing(self, query: dict[str, str]) -> dict[str, Any]:
        """GET message_templates: filter by name/status/language/category, page by limit."""
        data = [
            t.listing()
            for t in self.items.values()
            if all(query.get(k) in (None, getattr(t, k)) for k in ("name", "language"))
            and query.get("status") in (None, t.status)
            and query.get("category") in (None, t.category)
        ]
        limit = int(query.get("limit", "25") or 25)
        return {
            "data": data[:limit],
            "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}},
        }
