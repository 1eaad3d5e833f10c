"""The chat routes: start a chat on a published flow, answer it turn by turn, read it back.

Each turn runs the flow engine and saves the turn (state and Segment messages) in one
transaction of the chat service. That work blocks: it runs on worker threads, never on the
event loop, so a long turn holds up no other request (see `create_app`); the answer's JSON is
written there too. continueChat serves Typebot's clients too: a chat started by the
Typebot-compatible API (see `segflow.api.typebot`) is answered in its shapes.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.routing import Route

from segflow.api.answering import AnswerRoute
from segflow.api.bodies import (
    ContinueChatRequest,
    ContinueChatResponse,
    ErrorResponse,
    SessionResponse,
    StartChatRequest,
    StartChatResponse,
    json_answer,
)
from segflow.api.fields import ChatSessionId, Identifier
from segflow.api.limits import ChatLimits, NewChatLimit
from segflow.api.turns import TurnRunner, start_turns
from segflow.api.typebot import TypebotChats, TypebotSessionId
from segflow.api.visitor import visitor_from_request
from segflow.chat import Chats
from segflow.chat.visitor import Visitor

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
    run: TurnRunner,
    typebot: TypebotChats,
    limits: ChatLimits,
    new_chat_limit: NewChatLimit,
) -> tuple[APIRouter, Route]:
    """The routes over `chats`, each turn run by `run`; `typebot` answers the chats that
    Typebot's clients started. `limits` and `new_chat_limit` refuse what is over a limit.

    With them, continueChat's own way for a valid answer (`AnswerRoute`): a route to put
    ahead of the app's others, which FastAPI finds before looking into included routers."""
    router = APIRouter(prefix="/api/v1", tags=["chat"])

    @router.post(
        "/flows/{flowId}/startChat",
        summary="Start a chat",
        responses=_errors(400, 404, 413, 429),
        dependencies=[Depends(new_chat_limit)],
        response_model=StartChatResponse,
    )
    async def start_chat(
        flow_id: FlowId,
        http: Request,
        request: Annotated[StartChatRequest | None, Body()] = None,
    ) -> Response:
        """Starts a chat on the flow's latest published version: the bot's first messages and
        the input it waits on. With `message`, that input is answered at once. The chat's
        Segment messages carry `context` and, for what it leaves out, what the request tells
        (User-Agent, Accept-Language, Referer, the client's IP)."""
        request = request or StartChatRequest()
        limits.check_prefilled(request.prefilled_variables)
        limits.check_answer(request.message)
        visitor = visitor_from_request(http, request.context, send_ip=chats.sends_ip)
        return await run.turn(partial(_start, chats, flow_id, request, visitor))

    @router.post(
        "/sessions/{sessionId}/continueChat",
        summary="Answer the chat",
        responses=_errors(400, 404, 409, 413),
        response_model=ContinueChatResponse,
    )
    async def continue_chat(session_id: SessionId, request: ContinueChatRequest) -> Response:
        """Answers the input the chat waits on: the bot's next messages and input. A chat
        started with Typebot's startChat is answered in Typebot's shape."""
        return await answer(session_id, request)

    async def answer(session_id: str, request: ContinueChatRequest) -> Response:
        limits.check_answer(request.message)
        typebot_session = TypebotSessionId.parse(session_id)
        if typebot_session is not None:
            return await typebot.answer(typebot_session, request)
        if unknown := request.unknown_fields():
            raise RequestValidationError(unknown)
        return await run.turn(partial(_continue, chats, session_id, request.message))

    @router.get("/sessions/{sessionId}", summary="Read a chat", responses=_errors(400, 404))
    async def get_session(session_id: SessionId) -> SessionResponse:
        """Where the chat is: status, variables, the input it waits on, the flow version."""
        return SessionResponse.of(await run(partial(chats.get_session, session_id)))

    # A valid answer takes its own way, ahead of the documented route (see AnswerRoute).
    (documented,) = (r for r in router.routes if getattr(r, "endpoint", None) is continue_chat)
    assert isinstance(documented, APIRoute)
    answering = Route(
        documented.path, AnswerRoute(answer, documented), methods=["POST"], include_in_schema=False
    )
    return router, answering


def _start(chats: Chats, flow_id: str, request: StartChatRequest, visitor: Visitor) -> Response:
    turns, notes = start_turns(
        chats,
        flow_id,
        request.prefilled_variables,
        request.message,
        anonymous_id=request.anonymous_id,
        user_id=request.user_id,
        visitor=visitor,
    )
    response = StartChatResponse.of(*turns)
    response.logs.extend(notes)
    return json_answer(response)


def _continue(chats: Chats, session_id: str, answer: str) -> Response:
    return json_answer(ContinueChatResponse.of(chats.continue_chat(session_id, answer)))
