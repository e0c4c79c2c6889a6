"""A real headless chromium (Debian's, driven by Playwright) against ``dodolan demo``.

Without chromium or Playwright these tests skip, unless ``DODOLAN_REQUIRE_BROWSER=1`` (as in
CI), when they fail. A failing test leaves a screenshot and the demo's log in ``artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 420, "height": 860}
STARTUP_SECONDS = 30


def _unavailable(reason: str) -> None:
    """Skip, or fail when the environment requires the browser tests to run."""
    if os.environ.get("DODOLAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, launched by Playwright (which never downloads one)."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        _unavailable("chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def demo_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Start ``python -m bot.demo --port 0`` in a subprocess; stop it with SIGTERM."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"{_slug(request.node.name)}.demo.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.demo", "--port", "0"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        yield _wait_for_url(process, log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        assert status == 0, f"the demo exited with {status}; see {log_path}"
    if not getattr(request.node, "failed_call", False):
        log_path.unlink(missing_ok=True)


def _wait_for_url(process: subprocess.Popen[bytes], log_path: Path) -> str:
    """Wait for the line the demo prints when it is ready; return the URL."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        match = re.search(r"Dodolan demo: (http://127\.0\.0\.1:\d+/)", log_path.read_text())
        if match:
            return match[1]
        if process.poll() is not None:
            raise AssertionError(f"the demo exited early:\n{log_path.read_text()}")
        time.sleep(0.1)
    raise AssertionError(f"the demo did not start in {STARTUP_SECONDS}s:\n{log_path.read_text()}")


@pytest.fixture
def page(browser: Any, demo_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized page on the demo; a screenshot is kept if the test fails."""
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(demo_url)
    try:
        yield tab
    finally:
        if getattr(request.node, "failed_call", False):
            tab.screenshot(path=str(ARTIFACTS / f"{_slug(request.node.name)}.png"), full_page=True)
        context.close()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Note on the test item whether its body failed (for screenshots in teardown)."""
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True  # type: ignore[attr-defined]
    return report
