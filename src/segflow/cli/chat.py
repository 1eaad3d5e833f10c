"""`segflow chat FLOW`: chat with a flow in the terminal, and see what it sends to Segment."""

import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from segflow.blocks import ImageMessage, TextMessage
from segflow.chat import Chats, ChatTurn, FlowChangedInEditorError, flow_id_for
from segflow.cli.app import app
from segflow.cli.context import console, open_segflow
from segflow.cli.values import parse_variables
from segflow.errors import SegflowError
from segflow.flow import AwaitedInput, load_flow, read_document
from segflow.service import Segflow


@app.command()
def chat(
    ctx: typer.Context,
    flow: Annotated[
        str,
        typer.Argument(
            help="A flow file (published first, as the flow named after the file, unless "
            "that flow was changed in the Flow Editor), or the ID of a published flow.",
            show_default=False,
        ),
    ],
    var: Annotated[
        list[str] | None,
        typer.Option("--var", help="Prefill a variable: name=text or name:=json."),
    ] = None,
    also: Annotated[
        list[Path] | None,
        typer.Option(
            "--flow",
            help="Another flow file to publish first (repeatable), e.g. one this flow links "
            "to; its ID is the file's name.",
        ),
    ] = None,
    anonymous_id: Annotated[
        str | None,
        typer.Option("--anonymous-id", help="The visitor's anonymous ID (default: a new one)."),
    ] = None,
    deliver: Annotated[
        bool,
        typer.Option("--deliver", help="Deliver the queued messages in the background meanwhile."),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Publish the flow files even over a flow changed in the Flow Editor, "
            "replacing its draft.",
        ),
    ] = False,
) -> None:
    """Chat with a flow; after each turn, see the Segment messages it queued."""
    with open_segflow(ctx) as segflow:
        chats = Chats(segflow)
        for path in also or []:
            _publish_file(chats, segflow, path, replace=replace, quiet=True)
        is_file = Path(flow).is_file()
        flow_id = _publish_file(chats, segflow, Path(flow), replace=replace) if is_file else flow
        delivery = _BackgroundDelivery(segflow) if deliver else None
        try:
            _converse(chats, flow_id, parse_variables(var), anonymous_id)
        finally:
            if delivery is not None:
                delivery.stop()


def _publish_file(
    chats: Chats, segflow: Segflow, path: Path, *, replace: bool, quiet: bool = False
) -> str:
    accounts = [destination.name for destination in segflow.destinations.list()]
    load_flow(path, destinations=accounts)  # every problem, named by the file
    flow_id = flow_id_for(path.stem)
    try:
        chats.flows.save_file(read_document(path), flow_id, file=path, replace=replace)
    except FlowChangedInEditorError as error:
        chat_it = (
            f"chat with it as published: segflow chat {flow_id}"
            if error.published_version is not None
            else f"publish it in the Flow Editor, then: segflow chat {flow_id}"
        )
        raise SegflowError(
            f"{error}. To {chat_it}; to replace it with the file: segflow chat {path} --replace"
        ) from None
    published = chats.flows.publish(flow_id)
    doing = "Published" if quiet else "Chatting with"
    console.print(f"[dim]{doing} {flow_id}, version {published.version}[/dim]")
    return flow_id


def _converse(
    chats: Chats, flow_id: str, prefilled: dict[str, object], anonymous_id: str | None
) -> None:
    turn = chats.start_chat(flow_id, prefilled, anonymous_id=anonymous_id)
    console.print(f"[dim]Session {turn.session.id}, anonymous ID {turn.session.anonymous_id}[/]")
    while True:
        _show(turn)
        if turn.input is None:
            console.print(f"[dim]The chat has ended ({turn.session.status}).[/dim]")
            return
        try:
            answer = _ask(turn.input)
        except (EOFError, KeyboardInterrupt):
            console.print(f"\n[dim]Left the chat; session {turn.session.id} is still open.[/]")
            return
        turn = chats.continue_chat(turn.session.id, answer)


def _show(turn: ChatTurn) -> None:
    for message in turn.messages:
        if isinstance(message, TextMessage):
            console.print(f"[bold cyan]Bot[/] › {_escaped(message.text)}")
        elif isinstance(message, ImageMessage):
            label = _escaped(f"[image: {message.alt}] {message.url}")
            console.print(f"[bold cyan]Bot[/] › {label}")
    for log in turn.logs:
        colour = {"error": "red", "warning": "yellow"}.get(log.status, "dim")
        console.print(f"[{colour}]{log.status}: {_escaped(str(log))}[/]", soft_wrap=True)
    if turn.queued:
        table = Table("Segment", "Name / event", "User ID", "Anonymous ID", "Account", box=None)
        for queued in turn.queued:
            body = queued.message.body()
            table.add_row(
                body["type"],
                str(body.get("event") or body.get("name") or body.get("groupId") or ""),
                str(body.get("userId", "")),
                str(body.get("anonymousId", "")),
                queued.destination or "",
            )
        console.print(table, style="dim")


def _ask(awaited: AwaitedInput) -> str:
    options: dict[str, Any] = awaited.options
    items: list[dict[str, Any]] = options.get("items") or []
    if items:
        buttons = "  ".join(f"[{number}] {item['label']}" for number, item in enumerate(items, 1))
        console.print(f"      {_escaped(buttons)}")
    hint = (
        f"[dim]({_escaped(placeholder)})[/dim] "
        if (placeholder := options.get("placeholder"))
        else ""
    )
    answer = console.input(f"[bold green]You[/] › {hint}")
    # A button may be picked by its number, unless the number is an answer itself.
    picked = answer.strip()
    by_number = picked.isdigit() and 1 <= int(picked) <= len(items)
    if by_number and not any(picked in (i["id"], i["value"], i["label"]) for i in items):
        return str(items[int(picked) - 1]["id"])
    return answer


def _escaped(text: str) -> str:
    return text.replace("[", r"\[")


class _BackgroundDelivery:
    """A sender that delivers while the person chats; it gets a moment to finish at the end."""

    def __init__(self, segflow: Segflow, grace: float = 5.0) -> None:
        self._segflow = segflow
        self._grace = grace
        self._sender = segflow.sender()
        self._thread = threading.Thread(
            target=self._sender.run, name="segflow-chat-sender", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        deadline = time.monotonic() + self._grace
        while self._segflow.outbox.pending() and time.monotonic() < deadline:
            time.sleep(0.1)
        self._sender.stop()
        self._thread.join()
        waiting = self._segflow.outbox.pending()
        console.print(
            f"[dim]Delivered {self._sender.report.delivered:,} message(s)"
            + (f"; {waiting:,} still queued (run `segflow deliver`)" if waiting else "")
            + "[/dim]"
        )
