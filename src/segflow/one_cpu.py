"""Keeping a process that serves the chat API on one CPU.

A chat turn passes between two threads and back: the event loop reads the request, a turn
thread runs the flow and saves the turn, the event loop writes the answer. Python runs one
thread of a process at a time, so a process uses about one CPU whichever it may use; but when
the two threads run on two CPUs, each turn wakes the other CPU and moves the data the threads
share (the interpreter's own included) from one CPU's caches to the other's. On one CPU the
threads find it where they left it. `bench/chat_api.py` on 2 CPUs: about a quarter less CPU
per turn on SQLite, a sixth less on PostgreSQL.

Linux only (`os.sched_setaffinity`); elsewhere, and where the process may use only one CPU,
processes are left to the system.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def cpu_for(worker: int | None = None) -> int | None:
    """The CPU to keep a process on: for worker number `worker` (from 1) of several, the
    CPUs it may use taken in turn, so that workers spread over them; for a process serving
    alone, the CPU it runs on now, where the system put it. None where there is no choice to
    make: not on Linux, or one CPU only."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    if worker is not None:
        return allowed[(worker - 1) % len(allowed)]
    current = _current_cpu()
    return current if current in allowed else allowed[0]


def keep_on(cpu: int) -> None:
    """Keeps every thread of this process on `cpu`; a thread started later inherits it from
    the thread that starts it."""
    for thread in Path("/proc/self/task").iterdir():
        with contextlib.suppress(ProcessLookupError):  # the thread ended meanwhile
            os.sched_setaffinity(int(thread.name), {cpu})


def _current_cpu() -> int | None:
    """The CPU this process last ran on: field 39 of /proc/self/stat, counted after the
    command's name (which may hold spaces and parentheses)."""
    try:
        fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
        return int(fields[36])
    except (OSError, IndexError, ValueError):
        return None
