"""`segflow serve`: the chat API, the built-in collector and a sender, in one process; with
--workers N (on PostgreSQL), the chat API in N processes forked from it."""

from __future__ import annotations

import threading
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from segflow.allowed_hosts import is_loopback
from segflow.chat import Chats, FlowNotFoundError, PublishedFlow, flow_id_for
from segflow.cli.app import app
from segflow.cli.context import configure_logging, console, open_segflow
from segflow.cli.stop_signals import StopSignals
from segflow.collector.storage import safe_url
from segflow.delivery import Sender, SenderOptions
from segflow.delivery.sender import DeliveryReport
from segflow.destinations import Destination
from segflow.destinations.registry import LOCAL_COLLECTOR
from segflow.destinations.secrets import describe_undecryptable
from segflow.errors import SegflowError
from segflow.flow import load_flow, read_document
from segflow.one_cpu import cpu_for_process, cpus_for_workers, keep_on
from segflow.retention import retention_of
from segflow.service import Segflow

if TYPE_CHECKING:
    from fastapi import FastAPI

    from segflow.serving import ServerProcesses, ServerThread

EXAMPLE_FLOW = "lead-capture.yaml"  # shipped in the package, as segflow/examples/
SHUTDOWN_DEADLINE = 10.0  # seconds the sender gets to finish its batch in flight
# After a batch of fewer than SMALL_BATCH messages, the sender lets the next one fill for
# BATCH_GAP seconds. Under chat load it would otherwise send a few messages at a time, each
# batch costing this process (claim, request, and the built-in collector storing it) about
# as much as a chat turn: a turn's events then cost a fraction of that. Segment's own
# libraries wait 0.5 s. A backlog still goes out in full batches, back to back.
SMALL_BATCH = 100
BATCH_GAP = 0.25


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address the chat API listens on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port the chat API listens on (0: any free one).")
    ] = 8000,
    flows: Annotated[
        list[Path] | None,
        typer.Option(
            "--flow", help="A flow file to publish too (repeatable); its ID is the file's name."
        ),
    ] = None,
    no_collector: Annotated[
        bool,
        typer.Option(
            "--no-collector",
            help="Do not run the built-in collector (it runs only while no Segment account "
            "is the default destination).",
        ),
    ] = False,
    lease: Annotated[
        float | None,
        typer.Option(
            help="Seconds a batch in flight is reserved for this sender; after a crash it is "
            "sent again once this runs out.",
            show_default="60, from SEGFLOW_DELIVERY_LEASE_SECONDS",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="HTTP timeout per batch, in seconds.")] = 15.0,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes serving the chat API and the Flow Editor (PostgreSQL only); the "
            "sender and the collector run once, in the main process.",
        ),
    ] = 1,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every batch.")] = False,
) -> None:
    """Serve the chat API with the example flow, deliver its events, and show how to chat."""
    configure_logging(verbose)
    with open_segflow(ctx) as segflow:
        if workers > 1 and not segflow.database.is_postgresql:
            raise SegflowError(
                f"--workers {workers} needs PostgreSQL (--database-url postgresql://… or "
                "SEGFLOW_DATABASE_URL): SQLite takes one write at a time, and the writers of "
                "several processes wait for each other in sleeps. On SQLite serve one worker: "
                "it already runs several turns at once"
            )
        sender = segflow.sender_options(lease=lease, timeout=timeout)
        chats = Chats(segflow)
        published = [_publish(chats, segflow, path) for path in flows or []]
        if (example := _example(chats, segflow)) is not None:
            published.insert(0, example)
        destination = segflow.destinations.resolve()
        services = _Services(
            segflow,
            chats,
            api=(host, port),
            collector=destination.name == LOCAL_COLLECTOR and not no_collector,
            sender=sender,
            workers=workers,
            one_cpu=segflow.settings.one_cpu_per_process,
        )
        with StopSignals() as signals:  # a second Ctrl+C, while stopping, exits at once
            try:
                services.start()
                _announce(segflow, services, published, destination)
                if not is_loopback(host) and segflow.settings.editor_token is None:
                    console.print(
                        f"Warning: serving on {host}, reachable from other machines, with the "
                        "Flow Editor behind a token generated into segflow's home folder. Set "
                        "SEGFLOW_EDITOR_TOKEN to a long secret of your own, and put HTTPS in "
                        "front: the editor can change every flow.",
                        markup=False,
                        soft_wrap=True,
                    )
                failed = services.wait(signals)
            finally:
                console.print("Stopping: finishing requests and the batch in flight…")
                queued = services.stop()
        still = f" {queued:,} message(s) stay queued for the next start." if queued else ""
        console.print(f"Stopped.{still}")
        if failed:
            raise SegflowError(f"segflow serve stopped because {failed} failed (see above)")


def _example(chats: Chats, segflow: Segflow) -> PublishedFlow | None:
    """The example flow: published on the first start only, as it may be edited afterwards."""
    flow_id = flow_id_for(Path(EXAMPLE_FLOW).stem)
    try:
        chats.flows.get(flow_id)
    except FlowNotFoundError:
        with as_file(files("segflow") / "examples" / EXAMPLE_FLOW) as path:
            return _publish(chats, segflow, path)
    try:
        return chats.flows.published(flow_id)
    except FlowNotFoundError:  # its draft was never published
        return None


def _publish(chats: Chats, segflow: Segflow, path: Path) -> PublishedFlow:
    """Publishes a flow file as the flow named after it."""
    accounts = [destination.name for destination in segflow.destinations.list()]
    load_flow(path, destinations=accounts)  # every problem, named by the file
    # As before: a --flow file replaces the flow's draft, now marked as saved from the file.
    chats.flows.save_file(read_document(path), flow_id_for(path.stem), file=path, replace=True)
    return chats.flows.publish(flow_id_for(path.stem))


class _Services:
    """The chat API, the collector (when it is the destination) and a sender, started and
    stopped in an order that loses nothing: on stop the API goes first, so no new turn
    queues events, then the sender finishes its batch in flight, then the collector."""

    def __init__(
        self,
        segflow: Segflow,
        chats: Chats,
        *,
        api: tuple[str, int],
        collector: bool,
        sender: SenderOptions,
        workers: int = 1,
        one_cpu: bool = False,
    ) -> None:
        # Imported here: the web stack is needed to serve, not by every command.
        from segflow.api import create_app
        from segflow.editor import load_editor_token
        from segflow.metrics import Metrics
        from segflow.serving import ServerProcesses, ServerThread, listen

        self._segflow = segflow
        self.editor_token = load_editor_token(segflow.settings)
        metrics = Metrics(segflow.outbox)  # the API's /metrics shows the sender's work too
        # Both sockets are bound before anything starts: a port in use stops `serve` at once.
        api_app = create_app(segflow, chats=chats, editor_token=self.editor_token, metrics=metrics)
        api_listener = listen(*api, service="API")
        self.api: ServerThread | ServerProcesses
        # The CPU each process serving the chat API keeps to (see segflow.one_cpu); none
        # when they move freely. Serving alone, it is chosen at start.
        self.cpus: list[int] = []
        self._one_cpu = one_cpu
        if workers > 1:
            if one_cpu:
                self.cpus = cpus_for_workers(workers)
            self.api = ServerProcesses(
                api_app, api_listener, count=workers, name="segflow-api", cpus=self.cpus
            )
        else:
            self.api = ServerThread(api_app, api_listener, name="segflow-api")
        self.workers = workers
        self.collector: ServerThread | None = None
        if collector:
            where = urlsplit(segflow.settings.collector_url)
            listener = listen(where.hostname or "127.0.0.1", where.port or 80, service="Collector")
            self.collector = ServerThread(
                _collector_app(segflow), listener, name="segflow-collector"
            )
        self._stopping_sender = threading.Event()
        self.sender = Sender(
            segflow.outbox,
            segflow.destinations,
            sender,
            on_progress=_LetBatchesFill(self._stopping_sender),
            on_batch=metrics.batch_sent,
        )
        self._sending = threading.Thread(
            target=self.sender.run,
            kwargs={"shutdown_deadline": SHUTDOWN_DEADLINE},
            name="segflow-sender",
            daemon=True,
        )
        self.retention = retention_of(segflow)

    def start(self) -> None:
        if self.workers > 1:
            self.api.start()  # forked while this process runs no other thread
        elif self._one_cpu and (cpu := cpu_for_process()) is not None:
            try:
                keep_on(cpu)  # before any thread starts: each inherits it
            except OSError as error:
                raise SegflowError(
                    f"Cannot keep segflow serve on CPU {cpu} ({error}); set "
                    "SEGFLOW_ONE_CPU_PER_PROCESS=false to let the system place it"
                ) from error
            self.cpus = [cpu]
        if self.collector is not None:
            self.collector.start()
        self._sending.start()
        self.retention.start()
        if self.workers == 1:
            self.api.start()

    def wait(self, signals: StopSignals) -> str | None:
        """Returns once a stop is requested (None), or when a part stops by itself (its name)."""
        while not signals.wait(0.2):
            if not self.api.is_alive():
                return "the chat API"
            if self.collector is not None and not self.collector.is_alive():
                return "the collector"
            if not self._sending.is_alive():
                return "the sender"
        return None

    def stop(self) -> int:
        """Stops what was started; returns how many messages stay queued."""
        self.api.stop()
        self._stopping_sender.set()
        self.sender.stop()
        self.retention.stop()
        if self._sending.ident is not None:
            self._sending.join()
        self.retention.join()
        if self.collector is not None:
            self.collector.stop()
        return self._segflow.outbox.pending()


class _LetBatchesFill:
    """The sender's `on_progress`, called by each destination's worker after each batch:
    after a small one it waits BATCH_GAP (less if stopping), so the next one is larger."""

    def __init__(self, stopping: threading.Event) -> None:
        self._stopping = stopping
        # The sender's count as each worker last saw it: with several destinations sending at
        # once a batch may look larger than it was, which only skips a wait.
        self._seen = threading.local()

    def __call__(self, report: DeliveryReport) -> None:
        finished = report.delivered + report.dead
        batch = finished - getattr(self._seen, "finished", finished)
        self._seen.finished = finished
        if 0 < batch < SMALL_BATCH:
            self._stopping.wait(BATCH_GAP)


def _announce(
    segflow: Segflow, services: _Services, published: list[PublishedFlow], destination: Destination
) -> None:
    api = services.api.url
    if services.collector is not None:
        url = services.collector.url
        events = f"to the built-in collector, {url} (no Segment account yet): see {url}/events"
    elif destination.name == LOCAL_COLLECTOR:
        events = f"to a collector at {destination.endpoint}, run apart (--no-collector)"
    else:
        events = (
            f"to Segment account {destination.name} ({destination.endpoint}, "
            f"Write Key {destination.masked_write_key})"
        )
    flows = ", ".join(f"{flow.flow_id} (version {flow.version})" for flow in published)
    lines = [
        "segflow is serving. Press Ctrl+C to stop.",
        "",
        f"  Editor     {api}/editor/?token={services.editor_token}",
        f"  Chat API   {api}/api/v1",
        f"  API docs   {api}/docs",
        f"  Health     {api}/healthz, {api}/readyz, {api}/metrics",
        f"  Flows      {flows or 'none published (publish one, or pass --flow FILE)'}",
        f"  Events     go {events}",
        f"  Database   {safe_url(segflow.settings.resolved_database_url)}",
    ]
    # Before the Database line, which ends the banner.
    kept = ", ".join(map(str, services.cpus))
    if services.workers > 1:
        on = f", each kept on one CPU: {kept}" if kept else ""
        lines.insert(-1, f"  Workers    {services.workers} processes serve the chat API{on}")
    elif kept:
        lines.insert(-1, f"  CPU        kept on CPU {kept} (SEGFLOW_ONE_CPU_PER_PROCESS)")
    if undecryptable := segflow.destinations.undecryptable():
        # Their messages wait, the sender backing them off; every other account delivers.
        problem = describe_undecryptable(undecryptable, segflow.destinations.secret_key_source)
        lines.insert(-1, f"  Accounts   {problem}")
    if published:
        answer = "-H 'Content-Type: application/json' -d '{\"message\": \"Ada\"}'"
        lines += [
            "",
            f"Chat in a browser: {api}/chat/{published[0].flow_id}",
            "Start a chat:",
            f"  curl -s -X POST {api}/api/v1/flows/{published[0].flow_id}/startChat",
            "Answer it with the sessionId it returns:",
            f"  curl -s -X POST {api}/api/v1/sessions/SESSION_ID/continueChat {answer}",
        ]
    # One write: whoever reads the output sees all of it once it sees the first line.
    console.print("\n".join(lines), markup=False, soft_wrap=True)


def _collector_app(segflow: Segflow) -> FastAPI:
    from segflow.allowed_hosts import parse_hosts
    from segflow.collector.app import create_app
    from segflow.collector.faults import Faults, FaultSwitch
    from segflow.collector.receiver import Receiver

    receiver = Receiver(database=segflow.database, faults=FaultSwitch(Faults()))
    return create_app(receiver, allowed_hosts=parse_hosts(segflow.settings.allowed_hosts))
