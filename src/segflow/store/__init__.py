"""The application database: tables, engine and migrations."""

from segflow.store.db import Database, open_database

__all__ = ["Database", "open_database"]
