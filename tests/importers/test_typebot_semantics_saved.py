"""A published import keeps Typebot's rules: chats through the chat service, on SQLite and
PostgreSQL, score and branch as in Typebot."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from segflow.blocks import TextMessage
from segflow.chat import Chats
from segflow.service import Segflow
from segflow.settings import Settings
from tests.importers.helpers import imported


@pytest.fixture
def chats(home: Path, database_url: str) -> Iterator[Chats]:
    opened = Segflow.open(Settings(database_url=database_url))
    yield Chats(opened)
    opened.close()


def test_a_published_lead_score_chats_as_in_typebot(chats: Chats) -> None:
    saved = chats.flows.save(imported("lead-score.v6.json").flow)
    chats.flows.publish(saved.id)

    turn = chats.start_chat(saved.id)
    for answer in ("15", "01234"):
        turn = chats.continue_chat(turn.session.id, answer)

    assert [m.text for m in turn.messages if isinstance(m, TextMessage)] == [
        "Hot lead: 45 points, tag 012341"
    ]
    assert turn.session.variables["Rating"] == 45
