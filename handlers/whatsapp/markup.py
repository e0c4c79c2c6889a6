"""The neutral markup (``bot.core.notices``) as WhatsApp text.

``<b>`` → ``*x*``, ``<i>`` → ``_x_``, ``<s>`` → ``~x~``, ``<code>`` → ```` ```x``` ```` (the
long-standing monospace: a single-backtick "inline code" is newer and shows as raw backticks
on clients without it, e.g. "Contoh: `Siti Aminah`"),
``<pre>`` → a ```` ``` ```` block, ``<a href="u">t</a>`` → ``t (u)`` (just ``u`` when the
text is the address itself); entities become the characters they stand for; other tags are
dropped and their text kept. WhatsApp only formats a marker that touches a word on one side
and a space, punctuation or the line's end on the other, so whitespace at the edge of a tag
is moved outside its markers.

**Literal markers.** WhatsApp has no escape character. Where ``*``, ``_``, ``~`` or a
backtick in the text itself (a user's value, never a tag) would pair up with another one and
format the words between them, the opening one is replaced by a look-alike that WhatsApp
does not treat as a marker (``∗`` U+2217, ``＿`` U+FF3F, ``∼`` U+223C, ``ˋ`` U+02CB); a
lone marker, or one inside a word such as ``toko_siti_malang``, is left as it is. Addresses
(``href``) and the insides of ``<code>``/``<pre>`` are never changed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Markers the renderer itself writes are held as private-use characters until the end, so
# that only markers that came from the text are neutralised.
_OWN = {"b": "\ue000", "i": "\ue001", "s": "\ue002", "code": "\ue003"}
_REAL = {"\ue000": "*", "\ue001": "_", "\ue002": "~", "\ue003": "```", "\ue004": "```"}
_PRE = "\ue004"
_SYNONYMS = {"strong": "b", "em": "i", "strike": "s", "del": "s", "tt": "code"}
_LOOK_ALIKE = {"*": "\u2217", "_": "\uff3f", "~": "\u223c", "`": "\u02cb"}
# A pair WhatsApp would format: an opener after a start/space/punctuation, text that starts
# and ends with a non-space, a closer before an end/space/punctuation (same line).
_PAIR = re.compile(r"(?<!\w)([*_~`])(?=[^\s*_~`])([^\n]*?[^\s])\1(?!\w)")
_PROTECTED = re.compile("\ue005(\\d+)\ue005")


class _Renderer(HTMLParser):
    """Collects the text with the renderer's own markers, one buffer per open tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, list[str]]] = [("", None, [])]
        self.protected: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a buffer for the tag (a ``<br>`` is a line break)."""
        tag = _SYNONYMS.get(tag, tag)
        if tag == "br":
            self.handle_data("\n")
            return
        href = dict(attrs).get("href") if tag == "a" else None
        self.stack.append((tag, href, []))

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost buffer if the tag matches it (stray end tags are dropped)."""
        tag = _SYNONYMS.get(tag, tag)
        if len(self.stack) > 1 and self.stack[-1][0] == tag:
            self._close()

    def handle_data(self, data: str) -> None:
        """Add text, entities already turned into characters."""
        self.stack[-1][2].append(data)

    def _protect(self, text: str) -> str:
        """Hold ``text`` aside so neutralising never touches it."""
        self.protected.append(text)
        return f"\ue005{len(self.protected) - 1}\ue005"

    def _close(self) -> None:
        tag, href, parts = self.stack.pop()
        inner = "".join(parts)
        self.stack[-1][2].append(self._wrap(tag, href, inner))

    def _wrap(self, tag: str, href: str | None, inner: str) -> str:
        core = inner.strip()
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
        if tag == "a" and href:
            shown = _unmark(core)
            link = self._protect(href)
            return lead + (link if shown in ("", href) else f"{core} ({link})") + trail
        if tag == "pre":
            return f"{_PRE}\n{self._protect(_unmark(inner).strip(chr(10)))}\n{_PRE}"
        if not core or tag not in _OWN:
            return inner
        if tag == "code":
            core = self._protect(_unmark(core))
        return f"{lead}{_OWN[tag]}{core}{_OWN[tag]}{trail}"

    def result(self) -> str:
        """The whole text with the renderer's own markers still held."""
        while len(self.stack) > 1:  # unclosed tags: keep their text, formatted
            self._close()
        return "".join(self.stack[0][2])


def _unmark(text: str) -> str:
    """Text without the renderer's own markers."""
    return re.sub("[\ue000-\ue004]", "", text)


def neutralise(text: str) -> str:
    """Break every marker pair in plain ``text`` that WhatsApp would turn into formatting."""
    previous = None
    while previous != text:
        previous = text
        text = _PAIR.sub(lambda m: _LOOK_ALIKE[m[1]] + m[2] + m[1], text)
    return text


def to_whatsapp(markup: str) -> str:
    """The neutral markup as WhatsApp text (see the module docstring)."""
    renderer = _Renderer()
    renderer.feed(markup)
    renderer.close()
    text = neutralise(renderer.result())
    text = _PROTECTED.sub(lambda m: renderer.protected[int(m[1])], text)
    for own, real in _REAL.items():
        text = text.replace(own, real)
    return text.strip()
