"""The chat routes: start a chat on a published flow, answer it turn by turn, read it back.

Each turn runs the flow engine and saves the turn (state and Segment messages) in one
transaction of the chat service. That work blocks: it runs on worker threads, or on the event
loop when that is faster (see `create_app`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import APIRouter, Body, Depends, Path

from segflow.api.bodies import (
    ContinueChatRequest,
    ContinueChatResponse,
    ErrorResponse,
    SessionResponse,
    StartChatRequest,
    StartChatResponse,
)
from segflow.api.fields import ChatSessionId, Identifier
from segflow.api.limits import ChatLimits, NewChatLimit
from segflow.chat import Chats, ChatTurn
from segflow.flow import TurnLog

Result = TypeVar("Result")

FlowId = Annotated[
    Identifier, Path(alias="flowId", description="The flow's ID, e.g. lead-capture.")
]
SessionId = Annotated[
    ChatSessionId, Path(alias="sessionId", description="From startChat's answer.")
]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    meaning = {
        400: "The request is malformed; the message names the field.",
        404: "No such flow (or it is not published), or no such session.",
        409: "The chat has ended, or another answer to it was saved at the same moment.",
        413: "The request is over a limit (body size, answer length, prefilled variables); "
        "the message names it and its setting.",
        429: "Too many new chats from this client IP this minute; see Retry-After.",
    }
    return {code: {"model": ErrorResponse, "description": meaning[code]} for code in statuses}


def chat_router(
    chats: Chats,
    limiter: CapacityLimiter | None,
    limits: ChatLimits,
    new_chat_limit: NewChatLimit,
) -> APIRouter:
    """The routes over `chats`. Turns run on worker threads, at most `limiter`'s tokens at
    once; with no limiter, on the event loop itself."""
    router = APIRouter(prefix="/api/v1", tags=["chat"])

    async def blocking(work: Callable[[], Result]) -> Result:
        if limiter is None:
            return work()
        return await anyio.to_thread.run_sync(work, limiter=limiter)

    @router.post(
        "/flows/{flowId}/startChat",
        summary="Start a chat",
        responses=_errors(400, 404, 413, 429),
        dependencies=[Depends(new_chat_limit)],
    )
    async def start_chat(
        flow_id: FlowId, request: Annotated[StartChatRequest | None, Body()] = None
    ) -> StartChatResponse:
        """Starts a chat on the flow's latest published version: the bot's first messages and
        the input it waits on. With `message`, that input is answered at once."""
        request = request or StartChatRequest()
        limits.check_prefilled(request.prefilled_variables)
        limits.check_answer(request.message)
        return await blocking(partial(_start, chats, flow_id, request))

    @router.post(
        "/sessions/{sessionId}/continueChat",
        summary="Answer the chat",
        responses=_errors(400, 404, 409, 413),
    )
    async def continue_chat(
        session_id: SessionId, request: ContinueChatRequest
    ) -> ContinueChatResponse:
        """Answers the input the chat waits on: the bot's next messages and input."""
        limits.check_answer(request.message)
        turn = await blocking(partial(chats.continue_chat, session_id, request.message))
        return ContinueChatResponse.of(turn)

    @router.get("/sessions/{sessionId}", summary="Read a chat", responses=_errors(400, 404))
    async def get_session(session_id: SessionId) -> SessionResponse:
        """Where the chat is: status, variables, the input it waits on, the flow version."""
        return SessionResponse.of(await blocking(partial(chats.get_session, session_id)))

    return router


def _start(chats: Chats, flow_id: str, request: StartChatRequest) -> StartChatResponse:
    turns: list[ChatTurn] = [
        chats.start_chat(
            flow_id,
            request.prefilled_variables,
            anonymous_id=request.anonymous_id,
            user_id=request.user_id,
            visitor=request.context,
        )
    ]
    if request.message is not None and turns[0].input is not None:
        turns.append(chats.continue_chat(turns[0].session.id, request.message))
    response = StartChatResponse.of(*turns)
    if request.message is not None and len(turns) == 1:
        unused = "The chat ended before asking anything, so `message` was not used"
        response.logs.append(TurnLog(status="warning", description=unused))
    return response
