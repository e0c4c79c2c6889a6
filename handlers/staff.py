"""Placeholder: filled in by the sessions work (issue 4)."""

from __future__ import annotations

from handlers.context import DodolanApplication


def register(application: DodolanApplication) -> None:
    """Add this module's handlers."""
