"""The chat API application: `create_app(segflow)`, with its OpenAPI docs at /docs."""

from __future__ import annotations

from anyio import CapacityLimiter
from fastapi import FastAPI

from segflow import __version__
from segflow.allowed_hosts import AllowedHosts, parse_hosts
from segflow.api.cors import PublicCORS, parse_origins
from segflow.api.errors import add_error_answers
from segflow.api.routes import chat_router
from segflow.chat import Chats
from segflow.service import Segflow
from segflow.store import Database


def create_app(
    segflow: Segflow,
    *,
    chats: Chats | None = None,
    turn_threads: int | None = None,
    editor_token: str | None = None,
) -> FastAPI:
    """The API over `segflow`'s chats; with `editor_token`, the Flow Editor at /editor/ too.

    `turn_threads` turns (or session reads) run at once, each on a worker thread; with 0,
    each runs on the event loop instead. The default suits the database: see `turn_threads_for`.
    """
    app = FastAPI(
        title="segflow chat API",
        version=__version__,
        description="Chat with segflow's published flows; their Segment blocks send analytics "
        "to Twilio Segment as the chat goes.",
    )
    threads = turn_threads if turn_threads is not None else turn_threads_for(segflow.database)
    limiter = CapacityLimiter(threads) if threads > 0 else None
    chats = chats or Chats(segflow)
    app.include_router(chat_router(chats, limiter))
    if editor_token is not None:
        from segflow.editor import editor_router

        app.include_router(editor_router(segflow, editor_token, flows=chats.flows))
        hosts = parse_hosts(segflow.settings.allowed_hosts)
        app.add_middleware(AllowedHosts, service="The Flow Editor", hosts=hosts, paths=["/editor"])
    add_error_answers(app)
    app.add_middleware(PublicCORS, origins=parse_origins(segflow.settings.cors_origins))

    @app.get("/health", tags=["service"], summary="Is the API up?")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def turn_threads_for(database: Database) -> int:
    """PostgreSQL: 8 turns at once, as each mostly waits on the network and on commits.
    SQLite: none on threads. Its turns are local and take one write lock in turn, so threads
    only add hand-overs of the GIL; on the event loop, turns ran ~1.5x faster (measured with
    bench/chat_api.py)."""
    return 8 if database.is_postgresql else 0
