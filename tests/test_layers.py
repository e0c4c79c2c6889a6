"""Imports run one way: edges → services → core; core imports nothing of the platform.

Read from the source with ``ast`` (no import side effects), so a new import that crosses a
layer fails here in the commit that adds it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = ("telegram", "aiosqlite", "simulator", "sqlite3", "tornado", "httpx")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _crossing(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in sorted(_imports(path))
        if name.split(".")[0] in forbidden or name.startswith(forbidden)
    ]


def test_the_core_imports_only_the_standard_library_and_itself() -> None:
    allowed_first = {"bot"}
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules("bot/core")
        for name in _imports(path)
        if (name.split(".")[0] in allowed_first and not name.startswith("bot.core"))
        or name.split(".")[0] in (*PLATFORM, "storage", "handlers", "babel", "yaml")
    ]
    assert bad == []


@pytest.mark.parametrize("package", ["bot/services", "storage"])
def test_services_and_storage_know_no_channel_and_no_emulator(package: str) -> None:
    forbidden = ("telegram", "simulator", "handlers", "tornado", "httpx")
    assert _crossing(package, forbidden) == []


def test_storage_does_not_reach_up_into_services() -> None:
    assert _crossing("storage", ("bot.services", "bot.app", "handlers")) == []


def _imported(path: Path) -> set[str]:
    """Modules a file imports, with ``from a import b`` also read as ``a.b``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    submodules = {
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        for alias in node.names
    }
    return _imports(path) | submodules


@pytest.mark.parametrize("package", ["bot/services", "bot/core"])
def test_services_and_core_reach_neither_storage_nor_the_assembly(package: str) -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in sorted(_imported(path))
        if name.split(".")[0] == "storage" or name == "bot.app" or name.startswith("bot.app.")
    ]
    assert bad == []


# Issue 21, point 4: edges import nothing from the assembly or from storage; models come from
# bot.core, repositories arrive as the ports of bot/core (bot.core.ports, bot.core.whatsapp_ports)
# and the services as bot.services.facade.Services. What still does is listed here, by file
# and module, so that nothing new can be added and each entry is deleted in the commit that
# moves it behind a port. The list only shrinks.
EDGE_DEBT: set[tuple[str, str]] = set()  # all paid: the identities came behind a port


# The services' database handle is typed loosely (bot.services.facade.Services.db) for one
# transitional use; an edge that read it could run its own SQL without importing storage.
DB_HANDLE_DEBT: set[str] = set()  # paid: the router gets the identities as a port


def test_edges_do_not_reach_the_database_through_the_services() -> None:
    readers = {
        str(path.relative_to(ROOT))
        for path in _modules("handlers")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "db"
    }
    assert readers == DB_HANDLE_DEBT, "only shrinks: delete what was paid off"


def _edge_reaches() -> set[tuple[str, str]]:
    """(file, module) for every import of the assembly or of storage in the edges."""
    return {
        (str(path.relative_to(ROOT)), name)
        for path in _modules("handlers")
        for name in _imports(path)
        if name.split(".")[0] == "storage" or name == "bot.app" or name.startswith("bot.app.")
    }


def test_edges_reach_neither_storage_nor_the_assembly_beyond_the_known_debt() -> None:
    assert _edge_reaches() - EDGE_DEBT == set(), "a new edge import of storage or bot.app"


def test_the_known_debt_only_shrinks() -> None:
    assert EDGE_DEBT - _edge_reaches() == set(), "paid off: delete these from EDGE_DEBT"


# Erasure goes through the profile service alone (issue 21, point 4). These are the methods
# that delete a person's data or what is kept of it: the profile service's own ``erase`` and
# ``erase_traces``, and the ports it calls (the owners' store, each channel's trace keeper,
# the database's write-ahead log). Read from the source: a call of one of them is allowed in
# an edge, a service or the assembly only on the profile service (``….profile.erase(…)``,
# ``self._profile.erase_traces(…)``); bot/services/profile.py alone calls the ports. Storage
# implements them, and is not read here.
ERASING = frozenset({"erase", "erase_user", "erase_traces", "forget_deleted"})
ERASER = "bot/services/profile.py"


def _receiver(node: ast.expr) -> str:
    """The name a method is called on: ``profile`` for ``context.services.profile``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return f"{_receiver(node.func)}()"
    return type(node).__name__


def _erasing_calls(path: Path) -> list[str]:
    """``receiver.method`` of every call of an erasing method in a file, not on the profile."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} calls {_receiver(node.func.value)}."
        f"{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ERASING
        and _receiver(node.func.value).lstrip("_") != "profile"
    ]


@pytest.mark.parametrize("package", ["handlers", "bot"])
def test_only_the_profile_service_erases(package: str) -> None:
    bad = [
        call
        for path in _modules(package)
        if str(path.relative_to(ROOT)) != ERASER
        for call in _erasing_calls(path)
    ]
    assert bad == [], "erase through the profile service (register a TraceKeeper with it)"


def test_the_erasure_rule_sees_the_profile_services_own_calls() -> None:
    """The rule reads real calls: the profile service's calls of the ports are found."""
    calls = _erasing_calls(ROOT / ERASER)
    assert any(".erase()" in call for call in calls)
    assert any("forget_deleted()" in call for call in calls)
