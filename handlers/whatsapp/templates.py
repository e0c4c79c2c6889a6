"""The catalog of WhatsApp message templates (``content/whatsapp_templates.yaml``).

:func:`load` reads the file into one :class:`Template` per name and language; :func:`check`
lists every way it breaks Meta's rules for templates (so a bad text is caught here, not in
Meta's review a day later); :func:`to_graph` is the request body that submits one template;
:func:`render` is what the person will read once the variables are filled in.
Run ``python -m handlers.whatsapp.templates [file]`` to check a file by hand.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "content" / "whatsapp_templates.yaml"
CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
MAX_BODY = 1024
MAX_HEADER = 60
MAX_FOOTER = 60
MAX_BUTTONS = 10
MAX_QUICK_REPLY = 25
_NAME_RE = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_VARIABLE_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_ADJACENT_RE = re.compile(r"\}\}\s*\{\{")


@dataclass(frozen=True)
class Template:
    """One template in one language."""

    name: str
    category: str
    language: str
    body: str
    samples: tuple[str, ...] = ()
    header: str | None = None
    header_samples: tuple[str, ...] = ()
    footer: str | None = None
    buttons: tuple[str, ...] = ()  # quick-reply texts, in order

    @property
    def variables(self) -> int:
        """How many distinct variables the body holds."""
        return len(set(_variables(self.body)))


@dataclass(frozen=True)
class TemplateCatalog:
    """Every template, by name and language."""

    templates: tuple[Template, ...]

    def get(self, name: str, language: str) -> Template:
        """The template ``name`` in ``language``; KeyError if there is none."""
        for template in self.templates:
            if (template.name, template.language) == (name, language):
                return template
        raise KeyError(f"no template {name!r} in language {language!r}")

    def names(self) -> tuple[str, ...]:
        """The template names, in file order."""
        return tuple(dict.fromkeys(t.name for t in self.templates))

    def languages(self, name: str) -> tuple[str, ...]:
        """The languages ``name`` is written in."""
        return tuple(t.language for t in self.templates if t.name == name)


def _variables(text: str) -> list[str]:
    return _VARIABLE_RE.findall(text)


def _texts(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ValueError(f"{where} must be a list of texts")
    return tuple(str(v) for v in value)


def _optional_text(value: object, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where} must be a text")
    return value


def _language(name: str, category: str, language: str, spec: object) -> Template:
    where = f"{name} ({language})"
    if not isinstance(spec, dict) or not isinstance(spec.get("body"), str):
        raise ValueError(f"{where} needs a body text")
    return Template(
        name=name,
        category=category,
        language=language,
        body=spec["body"],
        samples=_texts(spec.get("samples"), f"{where} samples"),
        header=_optional_text(spec.get("header"), f"{where} header"),
        header_samples=_texts(spec.get("header_samples"), f"{where} header_samples"),
        footer=_optional_text(spec.get("footer"), f"{where} footer"),
        buttons=_texts(spec.get("buttons"), f"{where} buttons"),
    )


def parse(document: object) -> TemplateCatalog:
    """Build the catalog from the YAML document; ValueError names what is malformed."""
    entries = document.get("templates") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("the file needs a top-level 'templates:' list")
    found: list[Template] = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"template {index} needs a name")
        name, category = entry["name"], str(entry.get("category", ""))
        languages = {k: v for k, v in entry.items() if k not in ("name", "category")}
        if not languages:
            raise ValueError(f"{name} is written in no language")
        found += [_language(name, category, str(code), spec) for code, spec in languages.items()]
    return TemplateCatalog(tuple(found))


def load(path: Path = DEFAULT_PATH) -> TemplateCatalog:
    """Read and parse the template file (run :func:`check` on the result before use)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not valid YAML: {exc}") from None
    return parse(document)


def _numbering(text: str, where: str, samples: Sequence[str]) -> list[str]:
    """Problems with the variables of ``text``: positional, 1..n in order, one sample each."""
    found = _variables(text)
    if any(not v.isdigit() for v in found):
        return [f"{where}: variables must be positional ({{{{1}}}}, {{{{2}}}}, ...)"]
    problems = []
    numbers = [int(v) for v in found]
    if list(dict.fromkeys(numbers)) != list(range(1, len(set(numbers)) + 1)):
        problems.append(f"{where}: variables must be numbered 1, 2, ... in order of appearance")
    if len(samples) != len(set(numbers)):
        problems.append(f"{where}: {len(set(numbers))} variables but {len(samples)} samples")
    if any(not s.strip() for s in samples):
        problems.append(f"{where}: a sample is empty")
    if text.count("{{") != len(found) or text.count("}}") != len(found):
        problems.append(f"{where}: unmatched braces")
    return problems


def _body_problems(t: Template, where: str) -> list[str]:
    problems = _numbering(t.body, f"{where} body", t.samples)
    body = t.body.strip()
    if not 0 < len(t.body) <= MAX_BODY:
        problems.append(f"{where} body: {len(t.body)} characters (1 to {MAX_BODY})")
    if body.startswith("{{") or body.endswith("}}"):
        problems.append(f"{where} body: may not start or end with a variable")
    if _ADJACENT_RE.search(t.body):
        problems.append(f"{where} body: two variables need text between them")
    if "\n\n\n" in t.body:
        problems.append(f"{where} body: more than one empty line in a row")
    if "    " in t.body or "\t" in t.body:
        problems.append(f"{where} body: tabs or four spaces in a row")
    return problems


def _header_problems(t: Template, where: str) -> list[str]:
    if t.header is None:
        return [f"{where}: header samples without a header"] if t.header_samples else []
    problems = _numbering(t.header, f"{where} header", t.header_samples)
    if not 0 < len(t.header) <= MAX_HEADER:
        problems.append(f"{where} header: {len(t.header)} characters (1 to {MAX_HEADER})")
    if len(set(_variables(t.header))) > 1:
        problems.append(f"{where} header: at most one variable")
    if "\n" in t.header:
        problems.append(f"{where} header: one line only")
    return problems


def _footer_and_buttons(t: Template, where: str) -> list[str]:
    problems = []
    if t.footer is not None:
        if not 0 < len(t.footer) <= MAX_FOOTER:
            problems.append(f"{where} footer: {len(t.footer)} characters (1 to {MAX_FOOTER})")
        if "{{" in t.footer or "\n" in t.footer:
            problems.append(f"{where} footer: one static line, no variables")
    if len(t.buttons) > MAX_BUTTONS:
        problems.append(f"{where}: {len(t.buttons)} buttons (at most {MAX_BUTTONS})")
    for text in t.buttons:
        if not 0 < len(text) <= MAX_QUICK_REPLY or "{{" in text or "\n" in text:
            problems.append(f"{where} button {text!r}: 1 to {MAX_QUICK_REPLY} plain characters")
    if len(set(t.buttons)) != len(t.buttons):
        problems.append(f"{where}: button texts must differ")
    return problems


def _template_problems(t: Template) -> list[str]:
    where = f"{t.name} ({t.language})"
    problems = []
    if not _NAME_RE.match(t.name):
        problems.append(f"{t.name!r}: names hold lowercase a-z, 0-9 and _ (up to 512)")
    if t.category not in CATEGORIES:
        problems.append(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    if not _LANGUAGE_RE.match(t.language):
        problems.append(f"{where}: {t.language!r} is not a language code such as id or en_US")
    return (
        problems
        + _body_problems(t, where)
        + _header_problems(t, where)
        + _footer_and_buttons(t, where)
    )


def _shape(t: Template) -> tuple[int, int, int, bool, bool]:
    header_vars = len(set(_variables(t.header or "")))
    return t.variables, len(t.buttons), header_vars, t.header is None, t.footer is None


def _across_languages(catalog: TemplateCatalog) -> list[str]:
    problems = []
    seen: set[tuple[str, str]] = set()
    for t in catalog.templates:
        if (t.name, t.language) in seen:
            problems.append(f"{t.name} ({t.language}): written twice")
        seen.add((t.name, t.language))
    for name in catalog.names():
        versions = [t for t in catalog.templates if t.name == name]
        if len({_shape(t) for t in versions}) > 1:
            problems.append(
                f"{name}: its languages differ in variables, buttons, header or footer"
            )
    return problems


def check(catalog: TemplateCatalog) -> list[str]:
    """Every rule of Meta's the catalog breaks, one line each (empty when it is fine)."""
    problems = [p for t in catalog.templates for p in _template_problems(t)]
    return problems + _across_languages(catalog)


def to_graph(template: Template) -> dict[str, Any]:
    """The body for ``POST /{business-account-id}/message_templates``."""
    components: list[dict[str, Any]] = []
    if template.header is not None:
        header: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": template.header}
        if template.header_samples:
            header["example"] = {"header_text": list(template.header_samples)}
        components.append(header)
    body: dict[str, Any] = {"type": "BODY", "text": template.body}
    if template.samples:
        body["example"] = {"body_text": [list(template.samples)]}
    components.append(body)
    if template.footer is not None:
        components.append({"type": "FOOTER", "text": template.footer})
    if template.buttons:
        buttons = [{"type": "QUICK_REPLY", "text": text} for text in template.buttons]
        components.append({"type": "BUTTONS", "buttons": buttons})
    return {
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "parameter_format": "POSITIONAL",
        "components": components,
    }


def _fill(text: str, params: Sequence[str]) -> str:
    def value(match: re.Match[str]) -> str:
        return params[int(match[1]) - 1]

    return _VARIABLE_RE.sub(value, text)


def render(template: Template, params: Sequence[str], header_params: Sequence[str] = ()) -> str:
    """The message as the person will read it, with its quick replies as ``[ text ]``."""
    if len(params) != template.variables:
        raise ValueError(f"{template.name} takes {template.variables} values, not {len(params)}")
    parts = []
    if template.header is not None:
        parts.append(f"*{_fill(template.header, header_params)}*")
    parts.append(_fill(template.body, params))
    if template.footer is not None:
        parts.append(f"_{template.footer}_")
    if template.buttons:
        parts.append("\n".join(f"[ {text} ]" for text in template.buttons))
    return "\n\n".join(parts)


def main(argv: Sequence[str] = ()) -> int:
    """Check a template file and print its problems; 0 when it is fine."""
    path = Path(argv[0]) if argv else DEFAULT_PATH
    try:
        problems = check(load(path))
    except (OSError, ValueError) as exc:
        problems = [str(exc)]
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{path}: all templates follow Meta's rules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
