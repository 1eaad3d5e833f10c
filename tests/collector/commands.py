"""Running `segflow` as a user does, with a wide terminal so lines are not wrapped."""

from __future__ import annotations

import os
import subprocess
import sys


def segflow(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "segflow", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )
