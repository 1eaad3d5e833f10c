"""Typebot-compatible chats: segflow's chats (published flows) and preview chats (drafts),
answered in Typebot's shapes. The turns are the engine's; only their presentation differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from segflow.api.bodies import ContinueChatRequest
from segflow.api.turns import TurnRunner, start_turns
from segflow.api.typebot.answers import (
    ContinueChatResponse,
    StartChatResponse,
    typebot_info,
    typebot_json,
)
from segflow.api.typebot.requests import (
    ContinueChatOptions,
    PreviewStartChatRequest,
    StartChatRequest,
)
from segflow.api.typebot.sessions import TypebotSessionId, chat_id_of
from segflow.blocks import BotMessage
from segflow.chat import Chats
from segflow.chat.visitor import Visitor
from segflow.editor.preview import PreviewChats, PreviewNotFoundError
from segflow.errors import SegflowError
from segflow.flow import TurnLog

NOT_REGISTERING = "segflow starts every chat at once: isOnlyRegistering is not supported"


class TypebotChats:
    """startChat and continueChat in Typebot's shapes, as JSON answers written on the turn's
    thread, as segflow's own routes write theirs. `previews` runs the editor's preview chats
    on drafts; without it (no editor) there are none."""

    def __init__(self, chats: Chats, previews: PreviewChats | None, run: TurnRunner) -> None:
        self._chats = chats
        self._previews = previews
        self._run = run

    @property
    def sends_ip(self) -> bool:
        return self._chats.sends_ip

    async def start(self, flow_id: str, request: StartChatRequest, visitor: Visitor) -> Response:
        return await self._run.turn(_json(self._start, flow_id, request, visitor))

    async def start_preview(self, flow_id: str, request: PreviewStartChatRequest) -> Response:
        return await self._run.turn(_json(self._start_preview, flow_id, request))

    async def answer(self, session: TypebotSessionId, request: ContinueChatRequest) -> Response:
        options = ContinueChatOptions.read(request.model_extra or {})
        return await self._run.turn(_json(self._answer, session, request.message, options))

    def _start(
        self, flow_id: str, request: StartChatRequest, visitor: Visitor
    ) -> StartChatResponse:
        result_id = chat_id_of(request.result_id) if request.result_id else None
        turns, notes = start_turns(
            self._chats,
            flow_id,
            request.prefilled_variables,
            request.message,
            result_id=result_id,
            visitor=visitor,
        )
        last = turns[-1]
        shown = ContinueChatResponse.of(
            [message for turn in turns for message in turn.messages],
            last.input,
            [*(log for turn in turns for log in turn.logs), *notes, *_registering(request)],
            request.text_bubble_content_format,
        )
        return StartChatResponse(
            session_id=str(TypebotSessionId(last.session.id)),
            result_id=last.session.id,
            typebot=typebot_info(last.session.flow_id, last.session.flow_published_at),
            **dict(shown),
        )

    def _start_preview(self, flow_id: str, request: PreviewStartChatRequest) -> StartChatResponse:
        if self._previews is None:  # the route is served with the editor only
            raise SegflowError("This server has no editor, so no preview chats")
        previews = self._previews
        started = previews.start(flow_id, "draft", request.prefilled_variables)
        messages: list[BotMessage] = list(started.turn.messages)
        logs = [*started.logs, *_registering(request)]
        last = started
        if request.message is not None and started.turn.input is not None:
            last = previews.answer(started.session.id, request.message)
            messages += last.turn.messages
            logs += last.logs
        shown = ContinueChatResponse.of(
            messages, last.turn.input, logs, request.text_bubble_content_format
        )
        return StartChatResponse(
            session_id=str(TypebotSessionId(started.session.id, preview=True)),
            typebot=typebot_info(flow_id, None),
            **dict(shown),
        )

    def _answer(
        self, session: TypebotSessionId, message: str, options: ContinueChatOptions
    ) -> ContinueChatResponse:
        text_format = options.text_bubble_content_format
        if session.preview:
            if self._previews is None:  # no editor, so no preview chats
                raise PreviewNotFoundError(session.chat_id)
            turn = self._previews.answer(session.chat_id, message)
            return ContinueChatResponse.of(
                turn.turn.messages, turn.turn.input, turn.logs, text_format
            )
        saved = self._chats.continue_chat(session.chat_id, message)
        return ContinueChatResponse.of(saved.messages, saved.input, saved.logs, text_format)


def _registering(request: StartChatRequest) -> list[TurnLog]:
    if not request.is_only_registering:
        return []
    return [TurnLog(status="warning", description=NOT_REGISTERING)]


def _json(answer: Callable[..., BaseModel], *args: Any) -> Callable[[], Response]:
    """The work of a turn whose answer is written as Typebot's JSON on the turn's thread."""
    return lambda: typebot_json(answer(*args))
