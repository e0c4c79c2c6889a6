"""Waiting for something to happen, never for time to pass.

A test waits on a signal (an emulator's ``state.activity`` or ``dispatcher.changed``, a line a
child process prints) and checks its condition each time the signal fires. ``GUARD`` is a
failure guard only: a passing test never reaches it, however slow the machine; it turns a hang
into a failure that says what did not happen.

:func:`until_stored` is for the one thing with no signal to wait on: the database file of a
child process. It re-reads the file until the condition holds (the pause between reads sets
how soon the test notices, never whether it passes).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

# How long a wait may last before it fails the test: generous, as a busy machine is slow, and
# never reached by a passing test. DODOLAN_TEST_GUARD shortens it while one hunts failures.
GUARD = float(os.environ.get("DODOLAN_TEST_GUARD", "120"))
REREAD_SECONDS = 0.02


class Signal(Protocol):
    """What the emulators' signals offer: an event set (and replaced) on each change."""

    event: asyncio.Event


async def until(
    signal: Signal,
    condition: Callable[[], bool],
    what: str,
    *,
    also: asyncio.Future[Any] | None = None,
    guard: float = GUARD,
) -> None:
    """Wait until ``condition()`` holds, checking it each time ``signal`` fires (and when
    ``also``, a task of the caller's that the condition may depend on, ends)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + guard
    while True:
        event = signal.event  # taken before the check, so no change is missed
        if condition():
            return
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError(f"waited {guard:.0f}s (the failure guard) for {what}")
        fired = asyncio.ensure_future(event.wait())
        waiters: set[asyncio.Future[Any]] = {fired}
        if also is not None and not also.done():
            waiters.add(also)
        await asyncio.wait(waiters, timeout=left, return_when=asyncio.FIRST_COMPLETED)
        fired.cancel()


async def until_stored(condition: Callable[[], bool], what: str, guard: float = GUARD) -> None:
    """Wait until ``condition()``, which reads a child process's database, holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + guard
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"waited {guard:.0f}s (the failure guard) for {what}")
        await asyncio.sleep(REREAD_SECONDS)


class Lines:
    """A child process's output, read line by line as it comes, copied to a log file; a test
    waits for a line rather than for time."""

    def __init__(self, stream: asyncio.StreamReader, log: Path) -> None:
        self.lines: list[str] = []
        self.changed = asyncio.Event()
        self._log = log
        self._task = asyncio.create_task(self._read(stream), name=f"read {log.name}")

    async def _read(self, stream: asyncio.StreamReader) -> None:
        with self._log.open("w") as log:
            while raw := await stream.readline():
                line = raw.decode(errors="replace")
                log.write(line)
                log.flush()
                self.lines.append(line)
                self._wake()
        self._wake()

    def _wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    @property
    def ended(self) -> bool:
        """Whether the child closed its output (it has exited)."""
        return self._task.done()

    def text(self) -> str:
        return "".join(self.lines)

    async def line(self, pattern: str, guard: float = GUARD) -> re.Match[str]:
        """Wait for a line matching ``pattern`` (searched anywhere in the line)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + guard
        seen = 0
        while True:
            changed = self.changed
            for line in self.lines[seen:]:
                if match := re.search(pattern, line):
                    return match
            seen = len(self.lines)
            if self.ended:
                raise AssertionError(f"the process ended without printing {pattern!r}")
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"waited {guard:.0f}s (the failure guard) for {pattern!r}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), left)

    async def finish(self) -> None:
        """Wait until the child's output is closed and copied."""
        await self._task
