"""`segflow serve` keeps the process serving the chat API on one CPU (SEGFLOW_ONE_CPU_PER_PROCESS),
so that a turn's threads hand their work to each other within one CPU's caches; with the
setting off, the system moves it between CPUs as before. Checked on the running process's
threads, as the system reports them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from tests.serve_process import ServeProcess

ALLOWED = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
needs_two_cpus = pytest.mark.skipif(
    len(ALLOWED) < 2 and os.environ.get("CI") != "true",
    reason="keeping a process on one CPU needs Linux and two CPUs",
)
ENVIRONMENT = {"SEGFLOW_NEW_CHATS_PER_MINUTE": "0"}


def cpus_of_threads(pid: int) -> dict[int, list[int]]:
    """The CPUs each thread of process `pid` may run on, by thread ID."""
    return {
        thread.id: psutil.Process(thread.id).cpu_affinity()
        for thread in psutil.Process(pid).threads()
    }


@needs_two_cpus
def test_serve_keeps_every_thread_on_the_cpu_its_banner_names(home: Path, tmp_path: Path) -> None:
    with ServeProcess(
        f"sqlite:///{tmp_path / 'segflow.db'}", home, environment=ENVIRONMENT
    ) as server:
        started = server.api.post("/api/v1/flows/lead-capture/startChat")
        assert started.status_code == 200, started.text
        server.collector.wait_for_events(1)  # the sender and the collector have run too
        threads = cpus_of_threads(server.pid)
        output = server.output()

    # The API's server, its turn threads, the sender and the collector: one CPU for all.
    assert len(threads) >= 5, threads
    (kept,) = {tuple(cpus) for cpus in threads.values()}
    assert len(kept) == 1 and kept[0] in ALLOWED, threads
    assert f"  CPU        kept on CPU {kept[0]} (SEGFLOW_ONE_CPU_PER_PROCESS)" in output


@needs_two_cpus
def test_with_the_setting_off_serve_may_run_on_every_cpu(home: Path, tmp_path: Path) -> None:
    environment = {**ENVIRONMENT, "SEGFLOW_ONE_CPU_PER_PROCESS": "false"}
    with ServeProcess(
        f"sqlite:///{tmp_path / 'segflow.db'}", home, environment=environment
    ) as server:
        started = server.api.post("/api/v1/flows/lead-capture/startChat")
        assert started.status_code == 200, started.text
        threads = cpus_of_threads(server.pid)
        output = server.output()

    assert all(cpus == ALLOWED for cpus in threads.values()), threads
    assert "  CPU   " not in output


@needs_two_cpus
def test_workers_get_a_cpu_each_while_there_are_cpus_enough() -> None:
    chosen = (
        "from segflow.one_cpu import cpu_for_process, cpus_for_workers; "
        "print(cpus_for_workers(2), cpus_for_workers(3), cpu_for_process() is not None)"
    )
    first, second = ALLOWED[:2]

    def choices(cpus: set[int]) -> str:
        pinned = f"import os; os.sched_setaffinity(0, {cpus!r}); {chosen}"
        return subprocess.run(
            [sys.executable, "-c", pinned], capture_output=True, text=True, check=True
        ).stdout.strip()

    # Three workers on two CPUs: two kept on one could not move to the other left idle.
    assert choices({first, second}) == f"[{first}, {second}] [] True"
    # One CPU to use: nothing to choose, the system keeps it there anyway.
    assert choices({second}) == "[] [] False"
