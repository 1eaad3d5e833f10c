"""Routes for preview chats and their Events stream (server-sent events)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import APIRouter, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from segflow.api.fields import ChatSessionId, Identifier, Text
from segflow.api.limits import ChatLimits
from segflow.editor.answers import DraftProblemsError, EditorRoute
from segflow.editor.context import EditorContext
from segflow.editor.preview import Source
from segflow.editor.schemas import EditorModel
from segflow.editor.sent import with_deliveries
from segflow.flow import FlowError

POLL_SECONDS = 0.4
# A stream ends now and then with a "renew" event, for the page to open a new one: an open
# stream must never hold up a server that is shutting down.
STREAM_SECONDS = 25.0


class NewPreview(EditorModel):
    flow_id: Identifier
    source: Source = "draft"


class Answer(EditorModel):
    answer: Text


def preview_router(editor: EditorContext) -> APIRouter:
    router = APIRouter(route_class=EditorRoute)
    preview = editor.preview
    limits = ChatLimits(editor.segflow.settings.limits)

    @router.post("/preview", status_code=status.HTTP_201_CREATED)
    def start(new: NewPreview) -> dict[str, Any]:
        try:
            return preview.start(new.flow_id, new.source).as_json()
        except FlowError as error:
            raise DraftProblemsError(error.problems, f'Flow "{new.flow_id}"') from None

    @router.post("/preview/{session_id}/answers")
    def answer(session_id: ChatSessionId, given: Answer) -> dict[str, Any]:
        limits.check_answer(given.answer, "The answer")
        return preview.answer(session_id, given.answer).as_json()

    @router.get("/preview/{session_id}/messages")
    def messages(session_id: ChatSessionId) -> list[dict[str, Any]]:
        """Every Segment message of the chat with its delivery state."""
        return with_deliveries(editor.segflow.database, session_id, preview.sent(session_id))

    @router.get("/preview/{session_id}/events")
    async def events(session_id: ChatSessionId, request: Request) -> StreamingResponse:
        """The same list as /messages, sent again whenever a message or a state changes."""
        await run_in_threadpool(preview.sent, session_id)  # 404 before the stream starts

        def snapshot() -> bytes:
            sent = preview.sent(session_id)
            return orjson.dumps(with_deliveries(editor.segflow.database, session_id, sent))

        async def stream() -> AsyncIterator[bytes]:
            yield b"retry: 1000\n\n"
            last = b""
            ends = time.monotonic() + STREAM_SECONDS
            while time.monotonic() < ends and not await request.is_disconnected():
                current = await run_in_threadpool(snapshot)
                if current != last:
                    yield b"event: messages\ndata: " + current + b"\n\n"
                    last = current
                await asyncio.sleep(POLL_SECONDS)
            yield b"event: renew\ndata: {}\n\n"

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return router
