"""Chats whose Link to flow blocks lead into another published flow, through the chat
service on SQLite and PostgreSQL: each turn is saved inside the linked flow and goes on there."""

from __future__ import annotations

import textwrap
from typing import Any

import orjson
import pytest
import yaml
from sqlalchemy import update

from segflow.chat import Chats
from segflow.flow import ChatStatus, FlowError, flow_warnings, parse_flow
from segflow.service import Segflow
from segflow.store.tables import chat_sessions
from tests.flow.helpers import said

CHECKOUT = """
    name: Checkout
    variables: [{name: name}, {name: size}, {name: total, value: 10}]
    groups:
      - id: main
        title: Main
        blocks:
          - {id: ask-name, type: textInput, variable: name}
          - {id: to-sizes, type: link, flow: sizes, group: pick}
          - {id: done, type: text, text: "{{name}}: size {{size}}, total {{total}}"}
"""

SIZES = """
    name: Sizes
    variables: [{name: name}, {name: size}, {name: total}]
    groups:
      - id: pick
        title: Pick
        blocks:
          - {id: which, type: text, text: "Which size, {{name}}?"}
          - id: ask-size
            type: choiceInput
            variable: size
            items: [{id: s, label: S, value: S}, {id: m, label: M, value: M}]
          - {id: price, type: setVariable, variable: total, expression: total + 5}
          - id: picked
            type: segment
            action: Track Event
            eventName: Size Picked
            properties: [{key: size, value: "{{size}}"}]
"""


def document(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(textwrap.dedent(text))
    return loaded


def publish(chats: Chats, flow_id: str, text: str) -> None:
    chats.flows.save(document(text), flow_id)
    chats.flows.publish(flow_id)


def test_an_input_of_the_linked_flow_is_answered_and_the_chat_comes_back(chats: Chats) -> None:
    publish(chats, "sizes", SIZES)
    publish(chats, "checkout", CHECKOUT)

    first = chats.start_chat("checkout", user_id="u-42")
    inside = chats.continue_chat(first.session.id, "Ada")
    assert said(inside) == ["Which size, Ada?"]
    assert inside.input is not None and inside.input.block_id == "ask-size"
    assert chats.get_session(first.session.id).input == inside.input

    last = chats.continue_chat(first.session.id, "M")
    assert said(last) == ["Ada: size M, total 15"]
    assert last.session.status is ChatStatus.COMPLETED
    assert last.session.variables == {"name": "Ada", "size": "M", "total": 15}
    [track] = [queued.message.body() for queued in last.queued]
    assert (track["event"], track["userId"], track["anonymousId"]) == (
        "Size Picked",
        "u-42",
        first.session.anonymous_id,
    )


def test_a_new_version_of_the_linked_flow_leaves_chats_inside_it_on_theirs(
    chats: Chats,
) -> None:
    publish(chats, "sizes", SIZES)
    publish(chats, "checkout", CHECKOUT)
    first = chats.start_chat("checkout")
    chats.continue_chat(first.session.id, "Ada")

    publish(chats, "sizes", SIZES.replace("ask-size", "ask-size-2"))
    last = chats.continue_chat(first.session.id, "S")

    assert said(last) == ["Ada: size S, total 15"]
    later = chats.start_chat("checkout")
    inside = chats.continue_chat(later.session.id, "Bob")
    assert inside.input is not None and inside.input.block_id == "ask-size-2"


def test_a_link_to_a_flow_that_is_not_published_warns_and_the_chat_goes_on(
    chats: Chats,
) -> None:
    publish(chats, "checkout", CHECKOUT)
    first = chats.start_chat("checkout")
    last = chats.continue_chat(first.session.id, "Ada")

    assert said(last) == ["Ada: size , total 10"]
    assert [(log.status, str(log)) for log in last.logs] == [
        (
            "warning",
            'Group "Main" › block "to-sizes": Flow "sizes" does not exist; the chat goes on '
            "past the link",
        )
    ]


def test_a_chat_saved_before_links_existed_goes_on(chats: Chats, segflow: Segflow) -> None:
    publish(chats, "checkout", CHECKOUT.replace("flow: sizes, group: pick", "group: main"))
    first = chats.start_chat("checkout")
    with segflow.database.engine.begin() as connection:  # as an older segflow saved it
        old = {"variables": {"name": None, "size": None, "total": 10}, "waitingFor": "ask-name"}
        connection.execute(
            update(chat_sessions)
            .where(chat_sessions.c.id == first.session.id)
            .values(state=orjson.dumps(old | {"returnTo": None}).decode())
        )

    assert chats.get_session(first.session.id).input == first.input
    nxt = chats.continue_chat(first.session.id, "Ada")
    assert nxt.input is not None and nxt.input.block_id == "ask-name"  # the link ran main again


def test_publishing_checks_the_group_a_link_to_a_published_flow_goes_to(chats: Chats) -> None:
    publish(chats, "sizes", SIZES)
    chats.flows.save(document(CHECKOUT.replace("group: pick", "group: pik")), "checkout")

    with pytest.raises(FlowError) as raised:
        chats.flows.publish("checkout")

    (problem,) = raised.value.problems
    assert str(problem) == (
        'Group "Main" › block 2 (Link to flow): '
        'Link goes to group "pik", which is not in flow "Sizes" (did you mean "pick"?)'
    )
    assert (problem.block_id, problem.field) == ("to-sizes", ("group",))


def test_a_link_to_a_flow_not_published_yet_is_a_warning_and_publishes(chats: Chats) -> None:
    chats.flows.save(document(CHECKOUT), "checkout")

    published = chats.flows.publish("checkout")

    assert [
        str(warning) for warning in flow_warnings(published.flow, linked=chats.flows.linked_flow)
    ] == [
        'Group "Main" › block 2 (Link to flow): Link goes to flow "sizes", which is not '
        "published (yet); until it is, chats go on past the link"
    ]
    publish(chats, "sizes", SIZES)
    assert flow_warnings(parse_flow(document(CHECKOUT)), linked=chats.flows.linked_flow) == []
