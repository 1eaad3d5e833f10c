"""A visitor's earlier chat (Typebot's resultId), a flow's other IDs, and databases made before
chats kept their visitor: through the chat service, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from alembic import command
from alembic.config import Config
from sqlalchemy import insert

from segflow import __version__
from segflow.chat import Chats, FlowIdTakenError, FlowNotFoundError
from segflow.chat.results import Results
from segflow.chat.visitor import Visitor
from segflow.flow import parse_flow, start_session
from segflow.service import Segflow
from segflow.settings import Settings
from segflow.store import open_database
from segflow.store.db import MIGRATIONS
from segflow.store.tables import chat_sessions, flow_versions, flows
from tests.flow.conftest import QUICK
from tests.flow.helpers import outline, said
from tests.servers import CollectorProcess

EXAMPLE = Path(__file__).parents[2] / "examples" / "lead-capture.yaml"


def publish_example(chats: Chats, flow_id: str = "lead", **extra: object) -> str:
    chats.flows.save(yaml.safe_load(EXAMPLE.read_text()) | extra, flow_id)
    chats.flows.publish(flow_id)
    return flow_id


def received(collector: CollectorProcess, anonymous_id: str) -> list[dict[str, Any]]:
    payloads = [event["payload"] for event in reversed(collector.events())]
    return [payload for payload in payloads if payload.get("anonymousId") == anonymous_id]


# -- resultId: an earlier chat of the same visitor --------------------------------------------


def test_a_chat_started_with_an_earlier_chat_s_id_goes_on_with_its_variables_and_ids(
    chats: Chats, segflow: Segflow, collector: CollectorProcess
) -> None:
    flow_id = publish_example(chats)
    earlier = chats.start_chat(flow_id, {"plan": "team"}, anonymous_id=f"visitor-{uuid.uuid4()}")
    chats.continue_chat(earlier.session.id, "Ada")
    chats.continue_chat(earlier.session.id, "ada@example.com")  # Identify User

    later = chats.start_chat(flow_id, {"seats": 12}, result_id=earlier.session.id)

    assert later.session.id != earlier.session.id
    assert later.session.variables == {
        "name": "Ada",
        "email": "ada@example.com",
        "plan": "team",
        "seats": 12,  # given now: wins over the earlier chat's 1
    }
    assert (later.session.anonymous_id, later.session.user_id) == (
        earlier.session.anonymous_id,
        "ada@example.com",
    )
    assert said(later)[0] == "Hi! I'm Ada, segflow's assistant. What's your name?"
    segflow.sender(QUICK).run(until_empty=True)
    first_of_later = received(collector, earlier.session.anonymous_id)[-2:]
    assert outline(first_of_later) == [
        ("track", "Flow Started", "ada@example.com"),
        ("page", "Welcome", "ada@example.com"),
    ]


def test_ids_given_now_win_over_the_earlier_chat_s(chats: Chats) -> None:
    flow_id = publish_example(chats)
    earlier = chats.start_chat(flow_id, user_id="user-1")

    later = chats.start_chat(
        flow_id, anonymous_id="from-the-page", user_id="user-2", result_id=earlier.session.id
    )

    assert (later.session.anonymous_id, later.session.user_id) == ("from-the-page", "user-2")


def test_an_unknown_result_id_or_a_chat_of_another_flow_starts_afresh_with_a_warning(
    chats: Chats, caplog: pytest.LogCaptureFixture
) -> None:
    flow_id = publish_example(chats)
    other = chats.start_chat(publish_example(chats, "other"), {"name": "Grace"})

    with caplog.at_level(logging.WARNING, logger="segflow.chat"):
        unknown = chats.start_chat(flow_id, result_id="no-such-chat")
        foreign = chats.start_chat(flow_id, result_id=other.session.id)

    for fresh in (unknown, foreign):
        assert fresh.session.variables == {"name": None, "email": None, "plan": "free", "seats": 1}
        assert fresh.session.anonymous_id != other.session.anonymous_id
        assert fresh.session.user_id is None
    assert caplog.messages == [
        "resultId 'no-such-chat' is no chat: the new chat starts afresh",
        f"resultId '{other.session.id}' is a chat of another flow than \"lead\": the new chat "
        "starts afresh",
    ]


# -- a flow's other IDs -------------------------------------------------------------------------


def test_a_flow_is_found_by_its_other_ids_which_no_two_flows_share(chats: Chats) -> None:
    flow_id = publish_example(chats, aliases=["lead-abc123", "cl0typebot1d"])

    assert chats.start_chat("lead-abc123").session.flow_id == flow_id
    assert chats.flows.published("cl0typebot1d").flow_id == flow_id

    with pytest.raises(FlowIdTakenError) as taken:
        publish_example(chats, "copy", aliases=["cl0typebot1d"])
    assert str(taken.value) == (
        'Flow "Lead capture" cannot also answer to "cl0typebot1d": flow "lead" already does '
        '(were both imported from the same Typebot?). Remove "cl0typebot1d" from the other '
        "IDs (aliases) of one of them"
    )
    with pytest.raises(FlowIdTakenError, match='that is the ID of flow "lead"'):
        publish_example(chats, "copy", aliases=["lead"])
    with pytest.raises(FlowIdTakenError, match='There cannot be a flow "lead-abc123"'):
        publish_example(chats, "lead-abc123")

    publish_example(chats, aliases=["cl0typebot1d"])  # "lead" lets "lead-abc123" go
    with pytest.raises(FlowNotFoundError):
        chats.start_chat("lead-abc123")
    publish_example(chats, "lead-abc123")
    assert chats.start_chat("lead-abc123").session.flow_id == "lead-abc123"


# -- databases made before chats kept their visitor ---------------------------------------------


def test_the_migration_keeps_the_chats_of_an_existing_database_running(
    database_url: str, home: Path, collector: CollectorProcess
) -> None:
    before = open_database(database_url, migrate=False)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with before.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")  # segflow as it was, with a chat waiting for a name
    document = yaml.safe_load(EXAMPLE.read_text())
    flow = parse_flow(document)
    old_visitor, new_visitor = f"before-{uuid.uuid4()}", f"after-{uuid.uuid4()}"
    first = start_session(flow, anonymous_id=old_visitor)
    now = time.time()
    with before.engine.begin() as connection:
        connection.execute(
            insert(flows).values(
                id="lead",
                name="Lead capture",
                draft=orjson.dumps(document).decode(),
                created_at=now,
                updated_at=now,
            )
        )
        old_document = flow.model_dump(
            mode="json", exclude={"aliases": True, "variables": {"__all__": {"aliases"}}}
        )
        version_id = connection.execute(
            insert(flow_versions).values(
                flow_id="lead",
                version=1,
                document=orjson.dumps(old_document).decode(),
                published_at=now,
            )
        ).inserted_primary_key
        assert version_id is not None
        state = first.state.model_dump(mode="json", include={"variables", "waiting_for"})
        connection.execute(
            insert(chat_sessions).values(
                id="chat-from-before",
                flow_version_id=version_id[0],
                state=orjson.dumps(state).decode(),
                anonymous_id=old_visitor,
                user_id=None,
                status="active",
                turns=1,
                created_at=now,
                updated_at=now,
            )
        )
    before.dispose()

    upgraded = Segflow.open(Settings(database_url=database_url, collector_url=collector.url))
    try:
        chats = Chats(upgraded)
        assert chats.flows.publish("lead").version == 1  # unchanged, though written anew
        turn = chats.continue_chat("chat-from-before", "Ada")
        assert said(turn) == ["Nice to meet you, Ada! What's your work email?"]
        new = chats.start_chat("lead", visitor=Visitor(locale="nl-NL"), anonymous_id=new_visitor)
        long_id = chats.start_chat("lead", anonymous_id="a" * 500)  # as long as the API takes
        assert chats.get_session(long_id.session.id).anonymous_id == "a" * 500
        upgraded.sender(QUICK).run(until_empty=True)
        # The chat from before is among the flow's Results, its transcript from the upgrade on.
        results = Results(upgraded.database, upgraded.outbox, chats.flows)
        assert "chat-from-before" in [chat.id for chat in results.page("lead").chats]
        kept = results.transcript("lead", "chat-from-before")
        assert [(turn.turn, turn.answer) for turn in kept.turns] == [(2, "Ada")]
        assert [message.type for message in kept.chat.segment] == ["page"]
    finally:
        upgraded.close()

    old_messages = received(collector, old_visitor)
    assert outline(old_messages) == [("page", "Email", None)]
    assert old_messages[0]["context"] == {"library": {"name": "segflow", "version": __version__}}
    assert new.session.status.value == "active"
    assert {m["context"]["locale"] for m in received(collector, new_visitor)} == {"nl-NL"}
