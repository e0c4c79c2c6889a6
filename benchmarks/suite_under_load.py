"""The whole test suite, N times in a row, beside a CPU-heavy process (issue 21, point 6).

Starts one busy process per ``--hogs`` (default 1: a Python loop that never sleeps, so the
suite shares the cores with it, as on a developer's laptop running a build), then runs the
README's test command (``.venv/bin/python -m pytest``, with the pytest options of
pyproject.toml) ``--runs`` times one after another, and prints for each run its wall time,
pass/fail with pytest's summary line, and the load average beside it. Target: every run
passes, each within 8 min 22 s on 2 cores. The hogs are stopped at the end, whatever happens.

Run: .venv/bin/python benchmarks/suite_under_load.py              (~5 × the suite's time)
     .venv/bin/python benchmarks/suite_under_load.py --runs 1     (one run)
     .venv/bin/python benchmarks/suite_under_load.py --hogs 0     (the suite alone)
Extra arguments after ``--`` go to pytest (``-- -x tests/e2e``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, machine

TARGET_SECONDS = 8 * 60 + 22
HOG = "while True: pass"


def start_hogs(count: int) -> list[subprocess.Popen[bytes]]:
    """Busy processes that never sleep (each takes one core if it can)."""
    return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(count)]


def stop(hogs: list[subprocess.Popen[bytes]]) -> None:
    for hog in hogs:
        hog.terminate()
    for hog in hogs:
        hog.wait()


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def run_suite(extra: list[str], log: Path) -> tuple[bool, float, str]:
    """Run the README's test command once; whether it passed, its wall time, its summary."""
    python = ROOT / ".venv" / "bin" / "python"
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(
            [str(python if python.exists() else sys.executable), "-m", "pytest", *extra],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    took = time.monotonic() - started
    lines = log.read_text(errors="replace").splitlines()
    summary = next((s.strip("= ") for s in reversed(lines) if re.search(r" in [\d.]+s", s)), "")
    return done.returncode == 0, took, summary


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="how many runs in a row (5)")
    parser.add_argument("--hogs", type=int, default=1, help="CPU-heavy processes beside (1)")
    parser.add_argument("--logs", type=Path, default=Path("/tmp"), help="where run logs go")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args()

    print(machine())
    print(f"{args.runs} run(s) of `.venv/bin/python -m pytest` beside {args.hogs} CPU hog(s)")
    print(f"load before: {load()}")
    results: list[tuple[bool, float]] = []
    hogs = start_hogs(args.hogs)
    try:
        for n in range(1, args.runs + 1):
            log = args.logs / f"dodolan-suite-run-{n}.log"
            passed, took, summary = run_suite(args.pytest_args, log)
            results.append((passed, took))
            verdict = "pass" if passed else f"FAIL (see {log})"
            print(f"run {n}: {minutes(took)} · {verdict} · {summary} · load {load()}", flush=True)
    finally:
        stop(hogs)
    passes = sum(passed for passed, _ in results)
    slowest = max((took for _, took in results), default=0.0)
    print(
        f"{passes} of {len(results)} passed; slowest {minutes(slowest)} "
        f"(target: all pass, each within {minutes(TARGET_SECONDS)})"
    )
    return 0 if passes == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
