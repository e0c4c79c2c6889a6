"""The neutral text markup: what catalogs, tips and notices are written in.

A small subset of HTML that every channel can render: ``<b>``, ``<i>``, ``<s>`` (struck
through), ``<code>``,
``<a href="https://…">``, and the entities ``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` (numeric
ones too). Tags must nest and close; a bare ``<`` or ``&`` is an error. Telegram sends it as
HTML; the WhatsApp channel rewrites it into WhatsApp's ``*bold*``, ``_italic_``, ``~struck~``
and plain text.
:func:`plain` checks a text and returns what a reader sees; :func:`shorten` fits plain text
into a title or a template field.
"""

from __future__ import annotations

import html
import re

TAGS = ("b", "i", "s", "code", "a")
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_TAG = re.compile(r"<(/?)([a-z]+)((?:\s+[a-z]+=\"[^\"<>]*\")*)\s*>")
_HREF = re.compile(r'^\s+href="(https?://[^"\s]+|tg://[^"\s]+)"$')


class MarkupError(ValueError):
    """The text is not valid neutral markup; ``offset`` is where, in characters."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at character {offset}")
        self.reason = reason
        self.offset = offset


def plain(text: str) -> str:
    """Check ``text`` and return it as a reader sees it (tags dropped, entities decoded)."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _ENTITY.match(text, i)
            if match is None:
                raise MarkupError("a bare & (write &amp;)", i)
            out.append(html.unescape(match.group(0)))
            i = match.end()
        elif char == "<":
            i = _tag(text, i, stack)
        elif char == ">":
            raise MarkupError("a bare > (write &gt;)", i)
        else:
            out.append(char)
            i += 1
    if stack:
        raise MarkupError(f"<{stack[-1]}> is not closed", len(text))
    return "".join(out)


def _tag(text: str, i: int, stack: list[str]) -> int:
    """Check the tag at ``text[i]`` against the open ones; return where it ends."""
    match = _TAG.match(text, i)
    if match is None or match.group(2) not in TAGS:
        raise MarkupError("a tag that is not <b>, <i>, <s>, <code> or <a href> (or a bare <)", i)
    closing, name, attrs = match.group(1) == "/", match.group(2), match.group(3)
    if closing:
        if attrs or not stack or stack[-1] != name:
            raise MarkupError(f"</{name}> does not close the open tag", i)
        stack.pop()
    elif name == "a" and not _HREF.match(attrs):
        raise MarkupError('<a> needs one href="http(s)://…"', i)
    elif name != "a" and attrs:
        raise MarkupError(f"<{name}> takes no attributes", i)
    else:
        stack.append(name)
    return match.end()


def visible_length(text: str) -> int:
    """How long the text reads, in UTF-16 units (as Telegram counts its limits)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in plain(text))


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word if it can be, ending in "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
