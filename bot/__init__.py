"""Dodolan: a Telegram assistant for the UKM coaching programme of Kota Malang."""

import os

# Opt in to PTB's timedelta durations (``RetryAfter.retry_after`` and friends), the coming
# default; without it PTB 22 warns on every 429 it parses.
os.environ.setdefault("PTB_TIMEDELTA", "true")
