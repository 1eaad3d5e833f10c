"""The chat API application: `create_app(segflow)`, with its OpenAPI docs at /docs."""

from __future__ import annotations

from fastapi import FastAPI

from segflow import __version__
from segflow.allowed_hosts import AllowedHosts, parse_hosts
from segflow.api.cors import PublicCORS, parse_origins
from segflow.api.errors import add_error_answers
from segflow.api.limits import BodySizeLimit, ChatLimits, NewChatLimit
from segflow.api.operations import operations_router
from segflow.api.routes import chat_router
from segflow.api.turns import TurnRunner
from segflow.api.typebot import TypebotChats, typebot_router
from segflow.blocks import default_registry
from segflow.chat import Chats
from segflow.editor.auth import EditorAuth
from segflow.editor.preview import PreviewChats
from segflow.embed import embed_router
from segflow.metrics import Metrics
from segflow.service import Segflow
from segflow.serving import fastapi_telemetry
from segflow.store import Database

TURN_THREADS = 8  # turns in progress at once, those waiting on web services included


def create_app(
    segflow: Segflow,
    *,
    chats: Chats | None = None,
    turn_threads: int | None = None,
    editor_token: str | None = None,
    metrics: Metrics | None = None,
) -> FastAPI:
    """The API over `segflow`'s chats; with `editor_token`, the Flow Editor at /editor/ too.
    /healthz, /readyz and /metrics (with `metrics`, or this app's own) serve operators.

    Turns (and session reads) run on `turn_threads` worker threads, never on the event loop: a
    long turn must not hold up the others. How many run at once suits the database: see
    `turns_at_once`.
    """
    app = FastAPI(
        title="segflow chat API",
        version=__version__,
        description="Chat with segflow's published flows; their Segment blocks send analytics "
        "to Twilio Segment as the chat goes.",
        telemetry=fastapi_telemetry(),
    )
    threads = turn_threads if turn_threads is not None else TURN_THREADS
    chats = chats or Chats(segflow)
    limits = segflow.settings.limits
    chat_limits, new_chats = ChatLimits(limits), NewChatLimit(limits.new_chats_per_minute)
    metrics = metrics or Metrics(segflow.outbox)
    at_once = turns_at_once(segflow.database)
    run = TurnRunner(threads, at_once=at_once, on_turn=metrics.turn_done)
    previews, editor_auth = None, None
    if editor_token is not None:
        previews = PreviewChats(segflow, chats.flows, default_registry())
        editor_auth = EditorAuth(editor_token)
    typebot = TypebotChats(chats, previews, run)
    # The chat APIs first: requests find their routes in order, and turns are most of them.
    # One count of new chats per client, whichever API starts them.
    chat_api, answering = chat_router(chats, run, typebot, chat_limits, new_chats)
    app.include_router(chat_api)
    app.router.routes.insert(0, answering)
    app.include_router(typebot_router(typebot, editor_auth, chat_limits, new_chats))
    app.include_router(embed_router(chats.flows))  # public, like the chat API
    if editor_token is not None:
        from segflow.editor import editor_router

        app.include_router(editor_router(segflow, editor_token, flows=chats.flows))
        hosts = parse_hosts(segflow.settings.allowed_hosts)
        app.add_middleware(AllowedHosts, service="The Flow Editor", hosts=hosts, paths=["/editor"])
    add_error_answers(app)
    app.add_middleware(BodySizeLimit, limits=limits)  # inside CORS: a browser reads its 413
    app.add_middleware(PublicCORS, origins=parse_origins(segflow.settings.cors_origins))

    app.include_router(operations_router(segflow, metrics))
    return app


def turns_at_once(database: Database) -> int:
    """SQLite: 1, as its turns take one write lock in turn and otherwise run Python code: more
    at once only pass the lock and the GIL to each other. PostgreSQL: 2, so that one turn runs
    while the other waits on a round trip to the database; more at once only pass the GIL
    around more (`bench/chat_api.py` counts the thread switches per turn). Either way a turn
    that waits on a web service or runs long makes room for the next (see
    `segflow.turn_queue`), up to TURN_THREADS turns in progress."""
    return 2 if database.is_postgresql else 1
