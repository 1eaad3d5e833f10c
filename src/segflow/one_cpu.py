"""Keeping a process that serves the chat API on one CPU.

A chat turn passes between two threads and back: the event loop reads the request, a turn
thread runs the flow and saves the turn, the event loop writes the answer. Python runs one
thread of a process at a time, so a process uses about one CPU whichever it may use; but when
the two threads run on two CPUs, each turn wakes the other CPU and moves the data the threads
share (the interpreter's own included) from one CPU's caches to the other's. On one CPU the
threads find it where they left it. `bench/chat_api.py` on 2 CPUs: about a quarter less CPU
per turn on SQLite, a sixth less on PostgreSQL.

The workers of `segflow serve --workers N` each keep to a CPU of their own while there are
CPUs enough: two workers kept on one CPU could not move to another left idle.

Linux only (`os.sched_setaffinity`); elsewhere, and where the process may use only one CPU,
processes are left to the system.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def cpu_for_process() -> int | None:
    """The CPU for a process serving alone: the one it runs on now, where the system put it.
    None where there is no choice to make: not on Linux, or one CPU only."""
    allowed = _allowed_cpus()
    if len(allowed) < 2:
        return None
    current = _current_cpu()
    return current if current in allowed else allowed[0]


def cpus_for_workers(count: int) -> list[int]:
    """A CPU of its own for each of `count` worker processes, in order; none when there are
    fewer CPUs than workers (two kept on one CPU could not move to another left idle), or no
    choice to make."""
    allowed = _allowed_cpus()
    if len(allowed) < 2 or count > len(allowed):
        return []
    return allowed[:count]


def keep_on(cpu: int) -> None:
    """Keeps every thread of this process on `cpu`; a thread started later inherits it from
    the thread that starts it."""
    for thread in Path("/proc/self/task").iterdir():
        with contextlib.suppress(ProcessLookupError):  # the thread ended meanwhile
            os.sched_setaffinity(int(thread.name), {cpu})


def _allowed_cpus() -> list[int]:
    """The CPUs this process may run on; none where the system cannot keep it to some."""
    if not hasattr(os, "sched_setaffinity"):
        return []
    return sorted(os.sched_getaffinity(0))


def _current_cpu() -> int | None:
    """The CPU this process last ran on: field 39 of /proc/self/stat, counted after the
    command's name (which may hold spaces and parentheses)."""
    try:
        fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
        return int(fields[36])
    except (OSError, IndexError, ValueError):
        return None
