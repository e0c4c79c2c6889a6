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
import threading
from collections.abc import Callable, Iterator
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
# A failure guard only (a passing test never reaches it): how long Playwright's waits for the
# page (an element showing, a text arriving) and the demo's start and stop may take at most.
GUARD_SECONDS = 120


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
    """Start ``python -m bot.app.demo --port 0`` in a subprocess; stop it with SIGTERM."""
    yield from _run_demo(request, ROOT, [sys.executable, "-m", "bot.app.demo", "--port", "0"])


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    """A clone of the committed project with nothing beside it (no ../shared)."""
    clone = tmp_path / "alone" / "dodolan"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(clone)],
        check=True,
        capture_output=True,
    )
    assert sorted(p.name for p in clone.parent.iterdir()) == ["dodolan"]
    return clone


@pytest.fixture
def fresh_clone_demo_url(request: pytest.FixtureRequest, fresh_clone: Path) -> Iterator[str]:
    """``dodolan demo`` (``python -m bot demo``) run from the fresh clone's own code."""
    yield from _run_demo(
        request, fresh_clone, [sys.executable, "-m", "bot", "demo", "--port", "0"]
    )


def _run_demo(request: pytest.FixtureRequest, cwd: Path, command: list[str]) -> Iterator[str]:
    """Run the demo in ``cwd`` until the test ends; yield its URL; keep its log on failure."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"{_slug(request.node.name)}.demo.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    output = _Output(process, log_path)
    try:
        yield output.url()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        finally:
            output.reader.join()
            assert process.stdout is not None
            process.stdout.close()
        assert status == 0, f"the demo exited with {status}; see {log_path}"
    if not getattr(request.node, "failed_call", False):
        log_path.unlink(missing_ok=True)


class _Output:
    """The demo's output, read line by line as it comes (and kept in its log file); the URL
    is taken from the line it prints once it serves."""

    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.log_path = log_path
        self.ready = threading.Event()  # the URL line came, or the output ended
        self.found: str | None = None
        self.reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.reader.start()

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        with self.log_path.open("wb") as log:
            for line in process.stdout:
                log.write(line)
                log.flush()
                match = re.search(rb"Dodolan demo: (http://127\.0\.0\.1:\d+/)", line)
                if match and self.found is None:
                    self.found = match[1].decode()
                    self.ready.set()
        self.ready.set()

    def url(self) -> str:
        """Wait for the line the demo prints when it is ready; return the URL."""
        if not self.ready.wait(GUARD_SECONDS):
            raise AssertionError(f"the demo printed no URL in {GUARD_SECONDS}s (the guard)")
        if self.found is None:
            raise AssertionError(f"the demo exited early:\n{self.log_path.read_text()}")
        return self.found


@pytest.fixture
def open_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Open a phone-sized page at a URL (with Playwright context options such as
    ``timezone_id``); every failed response is noted in ``page.failed_responses``, and a
    screenshot of each page is kept if the test fails."""
    opened: list[tuple[Any, Any]] = []

    def open_at(url: str, **options: Any) -> Any:
        context = browser.new_context(
            viewport=options.pop("viewport", PHONE), accept_downloads=True, **options
        )
        context.set_default_timeout(GUARD_SECONDS * 1000)
        tab = context.new_page()
        tab.failed_responses = []
        tab.on("response", lambda r: r.status >= 400 and tab.failed_responses.append(r))
        tab.on("requestfailed", lambda r: tab.failed_responses.append(r))
        opened.append((context, tab))
        tab.goto(url)
        return tab

    try:
        yield open_at
    finally:
        for n, (context, tab) in enumerate(opened):
            if getattr(request.node, "failed_call", False):
                shot = ARTIFACTS / f"{_slug(request.node.name)}{'-' * bool(n)}{n or ''}.png"
                tab.screenshot(path=str(shot), full_page=True)
            context.close()


@pytest.fixture
def page(open_page: Callable[..., Any], demo_url: str) -> Any:
    """A phone-sized page on the demo; a screenshot is kept if the test fails."""
    return open_page(demo_url)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Note on the test item whether its body failed (for screenshots in teardown)."""
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True  # type: ignore[attr-defined]
    return report
