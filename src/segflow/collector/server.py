"""Running the collector on its own: open its database, bind its socket, serve with uvicorn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn

from segflow.collector.app import create_app
from segflow.collector.faults import Faults, FaultSwitch
from segflow.collector.receiver import Receiver
from segflow.collector.storage import open_store, safe_url
from segflow.retention import Retention, collected_events_kept
from segflow.serving import freeze_startup_heap, listen, url_of, uvicorn_config


@dataclass(frozen=True)
class CollectorOptions:
    host: str
    port: int
    database_url: str | None  # None: validate and count, store nothing (benchmarks)
    write_keys: frozenset[str] = field(default=frozenset(), repr=False)
    faults: Faults = field(default_factory=Faults)
    allowed_hosts: frozenset[str] = frozenset()  # beyond the loopback names and its address
    keep_days: float = 0.0  # stored events older than this are deleted; 0: kept forever


def serve(options: CollectorOptions, announce: Callable[[str], None]) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM); `announce` hears where it listens."""
    database = open_store(options.database_url) if options.database_url is not None else None
    retention = Retention(
        [
            collected_events_kept(
                database, options.keep_days, "--keep-days, SEGFLOW_COLLECTOR_KEEP_DAYS"
            )
        ]
        if database is not None
        else []
    )
    try:
        listener = listen(options.host, options.port, service="Collector")
        receiver = Receiver(
            database=database, faults=FaultSwitch(options.faults), write_keys=options.write_keys
        )
        announce(_describe(options, url_of(listener)))
        retention.start()
        server = uvicorn.Server(
            uvicorn_config(create_app(receiver, allowed_hosts=options.allowed_hosts))
        )
        freeze_startup_heap()
        server.run(sockets=[listener])
    finally:
        retention.stop()
        retention.join()
        if database is not None:
            database.dispose()


def _describe(options: CollectorOptions, url: str) -> str:
    storing = (
        f"storing in {safe_url(options.database_url)}"
        if options.database_url is not None
        else "not storing (--no-store)"
    )
    if options.database_url is not None:
        storing += (
            f", keeping events {options.keep_days:g} day(s)"
            if options.keep_days
            else ", keeping events forever"
        )
    keys = (
        f"{len(options.write_keys)} allowed write key(s)" if options.write_keys else "any write key"
    )
    return (
        f"segflow collector listening on {url}: {storing}; {keys}; "
        f"faults: {options.faults.describe()}"
    )
