"""Parse Telegram MarkdownV2 into plain text and MessageEntity dicts."""

from __future__ import annotations

from typing import Any

from simulator.html_parse import EntityParseError, utf16_len

RESERVED = set("_*[]()~`>#+-=|{}.!")
_TOGGLES = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


class _Parser:
    """A single-pass MarkdownV2 parser."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.pos16 = 0
        self.entities: list[dict[str, Any]] = []
        self.open: list[tuple[str, int, int]] = []  # (marker, pos16, char index)

    def err(self, reason: str, index: int) -> EntityParseError:
        """Build a parse error at a character index."""
        return EntityParseError(reason, len(self.text[:index].encode("utf-8")))

    def emit(self, s: str) -> None:
        """Append plain text."""
        self.out.append(s)
        self.pos16 += utf16_len(s)

    def toggle(self, marker: str, index: int) -> None:
        """Open or close a toggling formatting marker."""
        for k in range(len(self.open) - 1, -1, -1):
            if self.open[k][0] == marker:
                _, start, _ = self.open.pop(k)
                if self.pos16 > start:
                    self.entities.append(
                        {"type": _TOGGLES[marker], "offset": start, "length": self.pos16 - start}
                    )
                return
        self.open.append((marker, self.pos16, index))

    def read_until(
        self, i: int, stop: str, escapable: str, what: str, start: int
    ) -> tuple[str, int]:
        """Read raw text until an unescaped stop string; return (content, index after stop)."""
        buf: list[str] = []
        t = self.text
        while i < len(t):
            if t[i] == "\\" and i + 1 < len(t) and t[i + 1] in escapable:
                buf.append(t[i + 1])
                i += 2
                continue
            if t.startswith(stop, i):
                return "".join(buf), i + len(stop)
            buf.append(t[i])
            i += 1
        raise self.err(f"Can't find end of {what} entity", start)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        """Parse the whole text."""
        t = self.text
        i = 0
        link_starts: list[tuple[int, int]] = []
        while i < len(t):
            ch = t[i]
            if ch == "\\":
                if i + 1 >= len(t) or not (0 < ord(t[i + 1]) < 127):
                    raise self.err("Character '\\' is reserved and must be escaped", i)
                self.emit(t[i + 1])
                i += 2
            elif t.startswith("```", i):
                body, j = self.read_until(i + 3, "```", "`\\", "pre", i)
                lang, _, code = body.partition("\n") if "\n" in body else ("", "", body)
                ent: dict[str, Any] = {"type": "pre", "offset": self.pos16}
                self.emit(code)
                ent["length"] = self.pos16 - ent["offset"]
                if lang.strip():
                    ent["language"] = lang.strip()
                self.entities.append(ent)
                i = j
            elif ch == "`":
                body, j = self.read_until(i + 1, "`", "`\\", "code", i)
                start = self.pos16
                self.emit(body)
                self.entities.append(
                    {"type": "code", "offset": start, "length": self.pos16 - start}
                )
                i = j
            elif t.startswith("||", i) or t.startswith("__", i):
                self.toggle(t[i : i + 2], i)
                i += 2
            elif ch in "*_~":
                self.toggle(ch, i)
                i += 1
            elif ch == "[" or (ch == "!" and t.startswith("![", i)):
                i += 1 if ch == "[" else 2
                link_starts.append((self.pos16, i))
            elif ch == "]" and link_starts:
                start, _ = link_starts.pop()
                if not t.startswith("(", i + 1):
                    raise self.err("Character ']' is reserved and must be escaped", i)
                url, j = self.read_until(i + 2, ")", ")\\", "url", i)
                if self.pos16 > start:
                    if url.startswith("tg://emoji?id="):
                        self.entities.append(
                            {
                                "type": "custom_emoji",
                                "offset": start,
                                "length": self.pos16 - start,
                                "custom_emoji_id": url[len("tg://emoji?id=") :],
                            }
                        )
                    else:
                        self.entities.append(
                            {
                                "type": "text_link",
                                "offset": start,
                                "length": self.pos16 - start,
                                "url": url,
                            }
                        )
                i = j
            elif ch == ">" and (i == 0 or t[i - 1] == "\n"):
                end = t.find("\n", i)
                end = len(t) if end == -1 else end
                start = self.pos16
                sub = _Parser(t[i + 1 : end])
                text, ents = sub.parse()
                for e in ents:
                    e["offset"] += start
                self.emit(text)
                self.entities.extend(ents)
                if self.pos16 > start:
                    self.entities.append(
                        {"type": "blockquote", "offset": start, "length": self.pos16 - start}
                    )
                i = end
            elif ch in RESERVED:
                raise self.err(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'", i
                )
            else:
                self.emit(ch)
                i += 1
        if link_starts:
            raise self.err("Can't find end of a url entity", link_starts[-1][1] - 1)
        if self.open:
            marker, _, index = self.open[-1]
            raise self.err(f"Can't find end of {_TOGGLES[marker]} entity", index)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities


def parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2 text; return (plain_text, entities) or raise EntityParseError."""
    return _Parser(text).parse()
