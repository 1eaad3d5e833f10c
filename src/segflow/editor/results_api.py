"""Routes for a flow's Results: its chats a page at a time, one chat's transcript with its
Segment messages, and every chat as a CSV file.

Preview chats are not among them: they live in the editor's memory, not in the flow's chats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import Field

from segflow.api.fields import ChatSessionId, Identifier, Text
from segflow.chat.results import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    ChatResult,
    Results,
    ResultsFilter,
    TranscriptTurn,
)
from segflow.delivery import ChatMessage
from segflow.editor.answers import EditorRoute
from segflow.editor.context import EditorContext
from segflow.editor.deliveries import delivery_of
from segflow.editor.schemas import EditorModel
from segflow.flow import ChatStatus

# A spreadsheet runs a cell that starts with one of these as a formula: a visitor's answer
# must never do that on the computer of whoever opens the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ResultsQuery(EditorModel):
    status: ChatStatus | None = None
    started_from: float | None = Field(
        None, description="Unix seconds; chats started then or later."
    )
    started_before: float | None = Field(None, description="Unix seconds; chats started before.")
    search: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Only chats with an answer holding this text (any case)."
    )

    def chosen(self) -> ResultsFilter:
        return ResultsFilter(
            status=self.status,
            started_from=self.started_from,
            started_before=self.started_before,
            answer_contains=self.search or None,
        )


class ResultsPageQuery(ResultsQuery):
    after: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="The `next` cursor of the page before; none for the first page."
    )
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def results_router(editor: EditorContext) -> APIRouter:
    router = APIRouter(route_class=EditorRoute)
    results = Results(editor.segflow.database, editor.segflow.outbox, editor.flows)

    @router.get("/flows/{flow_id}/results")
    def list_chats(
        flow_id: Identifier, query: Annotated[ResultsPageQuery, Query()]
    ) -> dict[str, Any]:
        """The flow's chats, newest first, a page at a time; `next` asks for the next page."""
        page = results.page(flow_id, query.chosen(), after=query.after, size=query.limit)
        return {
            "total": page.total,
            "next": page.next,
            "variables": results.variable_names(flow_id),
            "chats": [chat_json(chat) for chat in page.chats],
        }

    @router.get("/flows/{flow_id}/results/{session_id}")
    def one_chat(flow_id: Identifier, session_id: ChatSessionId) -> dict[str, Any]:
        """The chat turn by turn, with each Segment message's body and delivery."""
        transcript = results.transcript(flow_id, session_id)
        return chat_json(transcript.chat, bodies=True) | {
            "transcript": [turn_json(turn) for turn in transcript.turns]
        }

    @router.get("/flows/{flow_id}/results.csv")
    def export_chats(
        flow_id: Identifier, query: Annotated[ResultsQuery, Query()]
    ) -> StreamingResponse:
        """Every chat that passes the filters, one row each, the variables as columns."""
        variables = results.variable_names(flow_id)
        batches = results.batches(flow_id, query.chosen())
        first = next(batches)  # a flow that does not exist answers 404 before the file starts
        return StreamingResponse(
            _csv(variables, first, batches),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{flow_id}-results.csv"'},
        )

    return router


def chat_json(chat: ChatResult, *, bodies: bool = False) -> dict[str, Any]:
    return {
        "id": chat.id,
        "flowVersion": chat.flow_version,
        "status": chat.status.value,
        "anonymousId": chat.anonymous_id,
        "userId": chat.user_id,
        "startedAt": chat.started_at,
        "lastActivityAt": chat.last_activity_at,
        "turns": chat.turns,
        "answers": chat.answers,
        "variables": chat.variables,
        "segment": [message_json(message, body=bodies) for message in chat.segment],
    }


def message_json(message: ChatMessage, *, body: bool) -> dict[str, Any]:
    delivery = delivery_of(message.state, message.attempts, message.last_error)
    answer: dict[str, Any] = {
        "messageId": message.message_id,
        "type": message.type,
        "destination": message.destination,
        "queuedAt": message.created_at,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "error": delivery.error,
    }
    if body:
        answer["body"] = message.body()
    return answer


def turn_json(turn: TranscriptTurn) -> dict[str, Any]:
    return {"turn": turn.turn, "answer": turn.answer, "messages": turn.messages, "at": turn.at}


CSV_COLUMNS = (
    "Chat ID",
    "Started (UTC)",
    "Last activity (UTC)",
    "Status",
    "Flow version",
    "Anonymous ID",
    "User ID",
    "Answers",
    "Segment messages",
)


def _csv(
    variables: list[str], first: list[ChatResult], rest: Iterator[list[ChatResult]]
) -> Iterator[str]:
    yield _lines([[*CSV_COLUMNS, *variables]])
    yield _lines([_row(chat, variables) for chat in first])
    for batch in rest:
        yield _lines([_row(chat, variables) for chat in batch])


def _lines(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _row(chat: ChatResult, variables: list[str]) -> list[str]:
    messages = "; ".join(
        f"{message.type} {delivery_of(message.state, message.attempts, None).state}"
        for message in chat.segment
    )
    return [
        chat.id,
        _time(chat.started_at),
        _time(chat.last_activity_at),
        chat.status.value,
        str(chat.flow_version),
        _cell(chat.anonymous_id),
        _cell(chat.user_id or ""),
        _cell(" | ".join(chat.answers)),
        messages,
        *(_cell(_text(chat.variables.get(name))) for name in variables),
    ]


def _time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
