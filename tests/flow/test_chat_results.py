"""A flow's Results through the service, on SQLite and PostgreSQL: each chat keeps its
transcript and the Segment messages it queued, pages follow one another without a gap or a
repeat, and filters narrow them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from segflow.chat import Chats, ChatSessionNotFoundError
from segflow.chat.results import Results, ResultsCursorError, ResultsFilter
from segflow.flow import ChatStatus
from segflow.service import Segflow
from tests.flow.conftest import QUICK

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"


@pytest.fixture
def results(segflow: Segflow, chats: Chats) -> Results:
    return Results(segflow.database, segflow.outbox, chats.flows)


def lead_capture(chats: Chats) -> str:
    saved = chats.flows.save(yaml.safe_load(EXAMPLE.read_text()))
    chats.flows.publish(saved.id)
    return saved.id


def test_a_chat_keeps_its_transcript_and_the_segment_messages_it_sent(
    chats: Chats, results: Results, segflow: Segflow
) -> None:
    flow_id = lead_capture(chats)
    first = chats.start_chat(flow_id)
    second = chats.continue_chat(first.session.id, "Ada")
    segflow.sender(QUICK).run(until_empty=True)

    transcript = results.transcript(flow_id, first.session.id)

    assert [turn.answer for turn in transcript.turns] == [None, "Ada"]
    said = [[message["text"] for message in turn.messages] for turn in transcript.turns]
    assert said == [
        [message.model_dump()["text"] for message in first.messages],
        [message.model_dump()["text"] for message in second.messages],
    ]
    sent = [queued.message.message_id for queued in [*first.queued, *second.queued]]
    assert sent, "the example flow sends Page Views and a chat-started event"
    assert [message.message_id for message in transcript.chat.segment] == sent
    assert {message.state for message in transcript.chat.segment} == {"delivered"}
    assert transcript.chat.variables["name"] == "Ada"
    assert transcript.chat.answers == ["Ada"]
    with pytest.raises(ChatSessionNotFoundError):
        results.transcript("another-flow", first.session.id)


def test_pages_follow_one_another_newest_first_and_filters_narrow_them(
    chats: Chats, results: Results
) -> None:
    flow_id = lead_capture(chats)
    started = [chats.start_chat(flow_id).session.id for _ in range(7)]
    chats.continue_chat(started[2], "Grace_100%")
    chats.continue_chat(started[4], "Ada")

    seen: list[str] = []
    page = results.page(flow_id, size=3)
    while True:
        assert page.total == 7
        seen += [chat.id for chat in page.chats]
        if page.next is None:
            break
        page = results.page(flow_id, after=page.next, size=3)
    assert seen == started[::-1]

    assert [
        chat.id for chat in results.page(flow_id, ResultsFilter(answer_contains="grace_1")).chats
    ] == [started[2]]
    # % and _ are letters like any other in a search
    assert results.page(flow_id, ResultsFilter(answer_contains="Grace%")).total == 0
    assert results.page(flow_id, ResultsFilter(answer_contains="_100%")).total == 1
    assert results.page(flow_id, ResultsFilter(status=ChatStatus.COMPLETED)).total == 0
    assert results.page(flow_id, ResultsFilter(status=ChatStatus.ACTIVE)).total == 7
    oldest = results.transcript(flow_id, started[0]).chat.started_at
    assert results.page(flow_id, ResultsFilter(started_before=oldest)).total == 0
    assert results.page(flow_id, ResultsFilter(started_from=oldest)).total == 7
    every = [chat.id for batch in results.batches(flow_id, size=2) for chat in batch]
    assert every == started[::-1]
    with pytest.raises(ResultsCursorError):
        results.page(flow_id, after="not-a-cursor")
