"""Chats through the service, on SQLite and PostgreSQL: flows are published as versions, each
turn is saved with its Segment messages, and those reach the collector as the chat sent them."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import delete, insert

import segflow.chat.chats as chats_module
from segflow.chat import (
    Chats,
    ChatSessionConflictError,
    ChatSessionNotFoundError,
    ChatTurn,
    FlowNotFoundError,
)
from segflow.flow import ChatEndedError, ChatStatus, FlowError, start_session
from segflow.service import Segflow
from segflow.store.tables import chat_turns
from tests.flow.conftest import QUICK
from tests.flow.helpers import LEAD_CAPTURE_OUTLINE, outline, said
from tests.servers import CollectorProcess

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"


def lead_capture(chats: Chats) -> str:
    saved = chats.flows.save(yaml.safe_load(EXAMPLE.read_text()))
    chats.flows.publish(saved.id)
    return saved.id


def answer_all(chats: Chats, turn: ChatTurn, *answers: str) -> list[ChatTurn]:
    turns = [turn]
    for answer in answers:
        turns.append(chats.continue_chat(turn.session.id, answer))
    return turns


def received(collector: CollectorProcess, anonymous_id: str) -> list[dict[str, Any]]:
    """The messages of one visitor as the collector received them, oldest first."""
    payloads = [event["payload"] for event in reversed(collector.events())]
    return [payload for payload in payloads if payload.get("anonymousId") == anonymous_id]


def test_a_whole_chat_reaches_segment_in_order_with_its_identity_and_typed_values(
    chats: Chats, segflow: Segflow, collector: CollectorProcess
) -> None:
    flow_id = lead_capture(chats)

    visitor = f"visitor-{uuid.uuid4()}"  # the collector serves every test of the module

    first = chats.start_chat(flow_id, anonymous_id=visitor)
    turns = answer_all(chats, first, "Ada", "ada@example.com", "Enterprise", "250")
    segflow.sender(QUICK).run(until_empty=True)

    messages = received(collector, visitor)
    assert outline(messages) == LEAD_CAPTURE_OUTLINE
    assert messages[3]["traits"] == {"email": "ada@example.com", "name": "Ada"}
    assert messages[7]["properties"] == {"plan": "enterprise", "seats": 250, "newsletter": True}
    queued = [q.message.message_id for turn in turns for q in turn.queued]
    assert [body["messageId"] for body in messages] == queued
    assert turns[-1].session.status is ChatStatus.COMPLETED


def test_the_service_remembers_the_chat_between_turns(chats: Chats) -> None:
    flow_id = lead_capture(chats)
    first = chats.start_chat(flow_id, {"plan": "team"})

    second = chats.continue_chat(first.session.id, "Ada")
    session = chats.get_session(first.session.id)

    assert said(second) == ["Nice to meet you, Ada! What's your work email?"]
    assert (session.flow_id, session.flow_version, session.status) == (
        flow_id,
        1,
        ChatStatus.ACTIVE,
    )
    assert session.variables == {"name": "Ada", "email": None, "plan": "team", "seats": 1}
    assert session.anonymous_id == first.session.anonymous_id
    assert session.input is not None and session.input.block_id == "ask-email"
    assert [queued.destination for queued in second.queued] == ["local-collector"]


def test_flows_are_saved_as_drafts_and_published_as_versions(chats: Chats) -> None:
    document = yaml.safe_load(EXAMPLE.read_text())

    saved = chats.flows.save(document)
    assert (saved.id, saved.name, saved.published_version) == ("lead-capture", "Lead capture", None)
    assert chats.flows.save(document).id == "lead-capture-2"  # a second flow of the same name

    assert chats.flows.publish("lead-capture").version == 1
    assert chats.flows.publish("lead-capture").version == 1  # nothing changed: same version
    document["groups"][0]["blocks"][0]["text"] = "Hello again!"
    chats.flows.save(document, "lead-capture")
    assert chats.flows.publish("lead-capture").version == 2

    listed = [(flow.id, flow.published_version) for flow in chats.flows.list()]
    assert listed == [("lead-capture", 2), ("lead-capture-2", None)]
    assert chats.flows.get("lead-capture").draft == document


def test_a_draft_with_problems_is_saved_but_not_published(chats: Chats) -> None:
    document = yaml.safe_load(EXAMPLE.read_text())
    chats.flows.save(document, "lead")
    chats.flows.publish("lead")
    document["groups"][1]["blocks"][2]["destination"] = "production"
    document["groups"][0]["blocks"][1]["next"] = "nowhere"
    chats.flows.save(document, "lead")

    with pytest.raises(FlowError) as refused:
        chats.flows.publish("lead")

    assert [str(problem) for problem in refused.value.problems] == [
        'Group "Welcome" › block 2 (Text input): Exit goes to group "nowhere", which '
        "does not exist",
        'Group "Email" › block 3 (Segment): Segment account "production" does not '
        "exist (the accounts are none yet: add a Segment account first)",
    ]
    assert chats.flows.get("lead").published_version == 1  # chats go on with version 1


def test_a_chat_keeps_the_version_it_started_on(chats: Chats) -> None:
    document = yaml.safe_load(EXAMPLE.read_text())
    chats.flows.save(document, "lead")
    chats.flows.publish("lead")
    older = chats.start_chat("lead")
    document["groups"][1]["blocks"][0]["text"] = "Hi {{name}}, your email please?"
    chats.flows.save(document, "lead")
    chats.flows.publish("lead")

    newer = chats.start_chat("lead")

    assert said(chats.continue_chat(older.session.id, "Ada")) == [
        "Nice to meet you, Ada! What's your work email?"
    ]
    assert said(chats.continue_chat(newer.session.id, "Ada")) == ["Hi Ada, your email please?"]
    assert chats.get_session(older.session.id).flow_version == 1


def test_unknown_flows_and_sessions_are_not_found(chats: Chats) -> None:
    chats.flows.save({"name": "Draft only", "groups": []}, "draft-only")

    with pytest.raises(FlowNotFoundError, match='Flow "nope" does not exist'):
        chats.start_chat("nope")
    with pytest.raises(FlowNotFoundError, match='Flow "draft-only" is not published yet'):
        chats.start_chat("draft-only")
    with pytest.raises(ChatSessionNotFoundError, match='Chat session "nope" does not exist'):
        chats.continue_chat("nope", "hello")
    with pytest.raises(ChatSessionNotFoundError):
        chats.get_session("nope")


def test_an_ended_chat_refuses_answers(chats: Chats) -> None:
    chats.flows.save(
        {
            "name": "Bye",
            "groups": [{"id": "g", "blocks": [{"id": "b", "type": "text", "text": "Bye"}]}],
        },
        "bye",
    )
    chats.flows.publish("bye")
    turn = chats.start_chat("bye")

    assert turn.input is None and turn.session.status is ChatStatus.COMPLETED
    with pytest.raises(ChatEndedError):
        chats.continue_chat(turn.session.id, "wait")


def test_a_turn_that_fails_to_save_leaves_no_message_behind(chats: Chats, segflow: Segflow) -> None:
    flow_id = lead_capture(chats)
    first = chats.start_chat(flow_id)
    chats.continue_chat(first.session.id, "Ada")
    queued_before = segflow.outbox.pending()
    # The next turn's line of the transcript is there already: the turn's last write fails.
    with segflow.database.engine.begin() as connection:
        connection.execute(
            insert(chat_turns).values(
                chat_session_id=first.session.id, turn=3, messages="[]", at=time.time()
            )
        )
    integrity_error = segflow.database.engine.dialect.loaded_dbapi.IntegrityError

    with pytest.raises(integrity_error):
        chats.continue_chat(first.session.id, "ada@example.com")

    assert segflow.outbox.pending() == queued_before  # the identify of the lost turn is not there
    assert chats.get_session(first.session.id).input.block_id == "ask-email"  # type: ignore[union-attr]
    with segflow.database.engine.begin() as connection:
        connection.execute(
            delete(chat_turns).where(
                chat_turns.c.chat_session_id == first.session.id, chat_turns.c.turn == 3
            )
        )
    retried = chats.continue_chat(first.session.id, "ada@example.com")
    assert [q.message.type for q in retried.queued] == ["identify", "page"]
    assert segflow.outbox.pending() == queued_before + 2


def test_two_answers_saved_at_once_keep_only_the_first(
    chats: Chats, segflow: Segflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow_id = lead_capture(chats)
    first = chats.start_chat(flow_id)
    other_worker = Chats(segflow)
    real_continue = chats_module.continue_session

    def meanwhile_another_answer_is_saved(*args: Any, **keywords: Any) -> Any:
        monkeypatch.setattr(chats_module, "continue_session", real_continue)
        other_worker.continue_chat(first.session.id, "Grace")
        return real_continue(*args, **keywords)

    monkeypatch.setattr(chats_module, "continue_session", meanwhile_another_answer_is_saved)
    queued_before = segflow.outbox.pending()

    with pytest.raises(ChatSessionConflictError, match="this one was not saved"):
        chats.continue_chat(first.session.id, "Ada")

    assert chats.get_session(first.session.id).variables["name"] == "Grace"
    assert segflow.outbox.pending() == queued_before + 1  # Grace's page view only


def test_a_message_for_an_account_removed_after_publishing_is_logged(
    chats: Chats, segflow: Segflow, collector: CollectorProcess
) -> None:
    segflow.destinations.add("staging", "staging-write-key", collector.url)
    chats.flows.save(
        {
            "name": "Staged",
            "groups": [
                {
                    "id": "g",
                    "title": "G",
                    "blocks": [
                        {
                            "id": "t",
                            "type": "segment",
                            "action": "Track Event",
                            "eventName": "A",
                            "destination": "staging",
                        },
                        {"id": "u", "type": "segment", "action": "Track Event", "eventName": "B"},
                        {"id": "bye", "type": "text", "text": "Bye"},
                    ],
                }
            ],
        },
        "staged",
    )
    chats.flows.publish("staged")
    segflow.destinations.remove("staging")

    turn = chats.start_chat("staged")

    assert said(turn) == ["Bye"]
    assert [(q.message.type, q.destination) for q in turn.queued] == [("track", "local-collector")]
    (log,) = turn.logs
    assert (log.group, log.block, log.field) == ("G", "t", "Segment account")
    assert log.description == (
        "No destination named 'staging' (known: none yet); the track message was not queued"
    )


def test_the_engine_and_the_service_say_the_same(chats: Chats) -> None:
    flow_id = lead_capture(chats)

    through_service = chats.start_chat(flow_id)
    through_engine = start_session(chats.flows.published(flow_id).flow)

    assert through_service.messages == through_engine.messages
    assert through_service.input == through_engine.input
