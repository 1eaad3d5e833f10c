"""Typebot's public chat paths: startChat (published flows), the editor's preview startChat
(drafts, behind the editor token) and clientLogs. continueChat is shared with segflow's own
API (see `segflow.api.routes`), which hands Typebot's chats to `TypebotChats`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Request, Response

from segflow.api.fields import ChatSessionId, Identifier
from segflow.api.limits import ChatLimits, NewChatLimit
from segflow.api.typebot.answers import StartChatResponse
from segflow.api.typebot.chats import TypebotChats
from segflow.api.typebot.requests import PreviewStartChatRequest, StartChatRequest
from segflow.api.visitor import visitor_from_request
from segflow.editor.auth import EditorAuth, EditorAuthError
from segflow.flow import FlowError

PublicId = Annotated[
    Identifier, Path(alias="publicId", description="The flow's ID: the embed's `typebot` option.")
]
TypebotId = Annotated[Identifier, Path(alias="typebotId", description="The flow's ID.")]
SessionId = Annotated[ChatSessionId, Path(alias="sessionId")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The request is malformed, or the draft has problems."},
    413: {"description": "The request is over a limit; the message names it and its setting."},
    429: {"description": "Too many new chats from this client IP this minute; see Retry-After."},
    403: {"description": "The preview needs the editor's token."},
    404: {"description": "No such flow (or it is not published): the embed says so."},
}


def typebot_router(
    typebot: TypebotChats,
    editor: EditorAuth | None,
    limits: ChatLimits,
    new_chat_limit: NewChatLimit,
) -> APIRouter:
    """The Typebot-compatible routes; the preview with `editor` (the editor's token) only.
    `limits` and `new_chat_limit` are the ones segflow's own routes apply."""
    router = APIRouter(tags=["Typebot-compatible chat"])

    @router.post(
        "/api/v1/typebots/{publicId}/startChat",
        summary="Start a chat (Typebot)",
        response_model=StartChatResponse,
        responses={code: _ERRORS[code] for code in (400, 404, 413, 429)},
        dependencies=[Depends(new_chat_limit)],
    )
    async def start_chat(
        public_id: PublicId,
        http: Request,
        request: Annotated[StartChatRequest | None, Body()] = None,
    ) -> Response:
        """Typebot's startChat on the flow's latest published version. `resultId` is
        segflow's chat ID: continueChat takes `sessionId`. The chat's Segment messages carry
        what the request tells of the visitor (User-Agent, Accept-Language, the page from the
        Referer or the embed's iframe header, the client's IP)."""
        request = request or StartChatRequest()
        limits.check_prefilled(request.prefilled_variables)
        limits.check_answer(request.message)
        visitor = visitor_from_request(http, None, send_ip=typebot.sends_ip)
        return await typebot.start(public_id, request, visitor)

    if editor is not None:
        auth = editor

        def editor_only(request: Request) -> None:
            if not auth.allows(request):
                raise HTTPException(403, str(EditorAuthError()))

        @router.post(
            "/api/v1/typebots/{typebotId}/preview/startChat",
            summary="Start a preview chat on the draft (Typebot)",
            response_model=StartChatResponse,
            responses={code: _ERRORS[code] for code in (400, 403, 404, 413)},
            dependencies=[Depends(editor_only)],
        )
        async def start_preview_chat(
            typebot_id: TypebotId,
            request: Annotated[PreviewStartChatRequest | None, Body()] = None,
        ) -> Response:
            """The editor's preview: a chat on the flow's saved draft, kept in memory only
            (it queues its Segment messages like any chat). Needs the editor's token as
            `Authorization: Bearer …`."""
            request = request or PreviewStartChatRequest()
            limits.check_prefilled(request.prefilled_variables)
            limits.check_answer(request.message)
            try:
                return await typebot.start_preview(typebot_id, request)
            except FlowError as error:
                raise HTTPException(400, str(error)) from None

    @router.post("/api/v2/sessions/{sessionId}/clientLogs", summary="Client logs (Typebot)")
    async def client_logs(
        session_id: SessionId, _logs: Annotated[Any, Body()] = None
    ) -> dict[str, str]:
        """Accepted so the embed goes on; segflow keeps no client-side logs."""
        return {"message": "Logs received"}

    return router
