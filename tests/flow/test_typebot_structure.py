"""An imported Typebot's Jump, Return, link to itself and Result ID, chatted through the chat
service on SQLite and PostgreSQL: the return point and the chat's ID outlive each saved turn."""

from __future__ import annotations

from segflow.chat import Chats
from segflow.flow import ChatStatus
from tests.flow.helpers import said
from tests.importers.helpers import imported


def errands(chats: Chats) -> str:
    saved = chats.flows.save(imported("errands.v6.json").flow)
    chats.flows.publish(saved.id)
    return saved.id


def test_a_return_goes_back_after_the_jump_in_a_later_turn(chats: Chats) -> None:
    first = chats.start_chat(errands(chats))
    second = chats.continue_chat(first.session.id, "keys")
    last = chats.continue_chat(first.session.id, "tomorrow")

    assert said(first) == ["Welcome to the errand desk.", "Which errand today?"]
    assert said(second) == []  # the second question of the jumped-to group
    assert said(last)[:2] == ["Noted: keys tomorrow.", "Back at the desk, keys."]
    assert last.session.status is ChatStatus.COMPLETED


def test_a_link_to_the_same_bot_goes_to_its_group(chats: Chats) -> None:
    first = chats.start_chat(errands(chats))
    chats.continue_chat(first.session.id, "keys")
    last = chats.continue_chat(first.session.id, "tomorrow")

    assert said(last)[-1] == f"See you, ticket {first.session.id}."


def test_result_id_is_the_chat_id_that_identify_user_sends(chats: Chats) -> None:
    first = chats.start_chat(errands(chats))
    chats.continue_chat(first.session.id, "keys")
    last = chats.continue_chat(first.session.id, "tomorrow")

    identify = [q.message.body() for q in last.queued if q.message.type == "identify"]
    assert [(body["userId"], body["traits"]) for body in identify] == [
        (first.session.id, {"email": "desk@example.com", "errand": "keys"})
    ]
    assert not last.logs
    assert chats.get_session(first.session.id).variables["Ticket"] == first.session.id
