"""Parse Telegram-flavoured HTML into plain text and MessageEntity dicts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_RE = re.compile(
    r"\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?"
)
SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
ALL_TAGS = set(SIMPLE_TAGS) | {"span", "a", "code", "pre", "blockquote", "tg-emoji"}


class EntityParseError(Exception):
    """Raised when text cannot be parsed; str() is Telegram's reason with byte offset."""

    def __init__(self, reason: str, byte_offset: int) -> None:
        super().__init__(f"{reason} at byte offset {byte_offset}")
        self.reason = reason
        self.byte_offset = byte_offset


@dataclass
class _Open:
    """An open tag on the parse stack."""

    name: str
    start: int
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram counts it."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of a character index."""
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode an HTML character entity at text[i] ('&'), returning (char, end)."""
    m = _ENTITY_RE.match(text, i)
    if not m:
        return None
    if m.group(1) is not None or m.group(2) is not None:
        code = int(m.group(1)) if m.group(1) is not None else int(m.group(2), 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), m.end()
    name = m.group(3)
    if name not in _NAMED:
        return None
    return _NAMED[name], m.end()


def _unescape_attr(value: str) -> str:
    """Decode character entities inside an attribute value (lenient)."""
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&":
            dec = _decode_entity(value, i)
            if dec:
                out.append(dec[0])
                i = dec[1]
                continue
        out.append(value[i])
        i += 1
    return "".join(out)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse HTML text; return (plain_text, entities) or raise EntityParseError."""
    out: list[str] = []
    pos16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            dec = _decode_entity(text, i)
            if dec is None:
                raise EntityParseError(
                    "Character entity expected; escape '&' as &amp;", _byte_offset(text, i)
                )
            out.append(dec[0])
            pos16 += utf16_len(dec[0])
            i = dec[1]
            continue
        if ch != "<":
            out.append(ch)
            pos16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue
        if i + 1 < n and text[i + 1] == "/":
            i = _close_tag(text, i, stack, entities, pos16)
            continue
        i = _open_tag(text, i, stack, pos16)
    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"',
            _byte_offset(text, n),
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _open_tag(text: str, i: int, stack: list[_Open], pos16: int) -> int:
    """Parse a start tag at text[i]; push it and return the index after it."""
    m = _TAG_NAME_RE.match(text, i + 1)
    if not m:
        raise EntityParseError("Unsupported start tag; escape '<' as &lt;", _byte_offset(text, i))
    name = m.group(0).lower()
    if name not in ALL_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}"', _byte_offset(text, i))
    j = m.end()
    attrs: dict[str, str] = {}
    while True:
        am = _ATTR_RE.match(text, j)
        if not am or am.end() == j:
            break
        value = am.group(2) or am.group(3) or am.group(4) or ""
        attrs[am.group(1).lower()] = _unescape_attr(value)
        j = am.end()
    while j < len(text) and text[j].isspace():
        j += 1
    if j >= len(text) or text[j] != ">":
        raise EntityParseError(f'Unclosed start tag "{name}"', _byte_offset(text, i))
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError('Tag "span" must have class "tg-spoiler"', _byte_offset(text, i))
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise EntityParseError(
            'Tag "tg-emoji" must have attribute "emoji-id"', _byte_offset(text, i)
        )
    stack.append(_Open(name, pos16, attrs))
    return j + 1


def _close_tag(
    text: str, i: int, stack: list[_Open], entities: list[dict[str, Any]], pos16: int
) -> int:
    """Parse an end tag at text[i]; emit the entity and return the index after it."""
    m = _TAG_NAME_RE.match(text, i + 2)
    end = text.find(">", i)
    if not m or end == -1 or text[m.end() : end].strip():
        raise EntityParseError("Unclosed end tag", _byte_offset(text, i))
    name = m.group(0).lower()
    if not stack:
        raise EntityParseError(f'Unexpected end tag "{name}"', _byte_offset(text, i))
    top = stack.pop()
    if top.name != name:
        raise EntityParseError(
            f'Unmatched end tag "{name}", expected "</{top.name}>"', _byte_offset(text, i)
        )
    length = pos16 - top.start
    entity = _entity_for(top, length, stack, entities)
    if entity is not None and length > 0:
        entities.append(entity)
    return end + 1


def _entity_for(
    top: _Open, length: int, stack: list[_Open], entities: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """Build the MessageEntity dict for a closed tag."""
    base: dict[str, Any] = {"offset": top.start, "length": length}
    if top.name in SIMPLE_TAGS or top.name == "span":
        return {"type": SIMPLE_TAGS.get(top.name, "spoiler"), **base}
    if top.name == "a":
        href = top.attrs.get("href", "")
        if not href:
            return None
        if href.startswith("tg://user?id="):
            return {"type": "text_mention", **base, "user": {"id": int(href[13:] or 0)}}
        return {"type": "text_link", **base, "url": href}
    if top.name == "code":
        cls = top.attrs.get("class", "")
        if stack and stack[-1].name == "pre" and stack[-1].start == top.start:
            if cls.startswith("language-"):
                stack[-1].attrs["language"] = cls[len("language-") :]
            return None
        return {"type": "code", **base}
    if top.name == "pre":
        ent = {"type": "pre", **base}
        if top.attrs.get("language"):
            ent["language"] = top.attrs["language"]
        return ent
    if top.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in top.attrs else "blockquote"
        return {"type": kind, **base}
    return {"type": "custom_emoji", **base, "custom_emoji_id": top.attrs["emoji-id"]}
