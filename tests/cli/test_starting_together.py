"""Processes started at the same moment on a new database (a supervisor starting the API and
its senders together) all come up: one creates the schema, the others wait for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from segflow.store import open_database


def test_commands_started_together_on_a_new_database_all_succeed(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "SEGFLOW_HOME": str(tmp_path / "home"),
        "SEGFLOW_DATABASE_URL": database_url,
    }
    starting = [
        subprocess.Popen(
            [sys.executable, "-m", "segflow", "outbox", "status"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in starting:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
        assert errors == ""
    database = open_database(database_url, migrate=False)
    try:
        assert database.unready() is None
    finally:
        database.dispose()
