"""SQLite storage: one database file, one writer connection, numbered migrations."""

from storage.database import Database

__all__ = ["Database"]
