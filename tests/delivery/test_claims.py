"""Claiming batches from the outbox: a sender with batches in flight claims the messages after
them, in order, and one it gives back is claimed again before any later message."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from segflow.delivery import batching, outbox
from segflow.delivery.outbox import ClaimedMessage
from segflow.segment import TrackEvent, build_message
from segflow.service import Segflow
from segflow.settings import Settings

SENDER = "this-host:1:sender"


def ids(batch: list[ClaimedMessage]) -> list[int]:
    return [message.id for message in batch]


def test_batches_claimed_while_others_are_held_follow_them_and_a_given_back_one_comes_first(
    segflow: Segflow,
) -> None:
    destination = segflow.destinations.resolve(None)
    messages = [build_message(TrackEvent(event_name=f"Step {n}", user_id="u1")) for n in range(12)]
    segflow.outbox.enqueue_many(messages, destination.id)
    outbox = segflow.outbox

    first, second, third = (
        outbox.claim(destination.id, SENDER, lease=60, max_events=3) for _ in range(3)
    )
    queued = ids(first) + ids(second) + ids(third)
    assert [m.message_id for m in first + second + third] == [m.message_id for m in messages[:9]]
    assert queued == sorted(set(queued))
    # Another sender waits: the oldest queued messages are in this one's hands.
    assert outbox.claim(destination.id, "this-host:2:other", lease=60) == []

    outbox.release_ids(ids(second), destination.id)
    again = outbox.claim(destination.id, SENDER, lease=60)
    assert ids(again) == ids(second)  # it stops where the third batch's claim begins
    rest = outbox.claim(destination.id, SENDER, lease=60)
    assert [m.message_id for m in rest] == [m.message_id for m in messages[9:]]

    for batch in (first, again, third, rest):
        outbox.delivered(ids(batch), destination.id)
    (counts,) = outbox.counts()
    assert (counts.delivered, counts.queued, counts.in_flight) == (12, 0, 0)
    assert outbox.claim(destination.id, SENDER, lease=60) == []


def test_a_turn_of_many_messages_queues_each_once_in_order_for_its_chat(segflow: Segflow) -> None:
    destination = segflow.destinations.resolve(None)
    # More than one INSERT's worth (100 rows), and far more than 50 values in each.
    messages = [build_message(TrackEvent(event_name=f"Step {n}", user_id="u1")) for n in range(230)]
    chat = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

    with segflow.database.engine.begin() as connection:
        segflow.outbox.enqueue_many(
            messages, destination.id, connection=connection, chat_session_id=chat
        )

    listed = segflow.outbox.of_chats([chat])
    assert [(m.message_id, m.payload) for m in listed] == [
        (m.message_id, m.payload) for m in messages
    ]
    assert {(m.type, m.destination, m.state, m.attempts) for m in listed} == {
        ("track", destination.name, "queued", 0)
    }


@pytest.fixture
def on_postgresql(home: Path, postgres_url: str) -> Iterator[Segflow]:
    opened = Segflow.open(Settings(database_url=postgres_url))
    yield opened
    opened.close()


def test_on_postgresql_a_turn_queues_its_messages_while_a_sender_claims_their_account(
    on_postgresql: Segflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim holds its account's row so that claims of it go one at a time; chat turns
    queuing messages for that account must not wait for it."""
    segflow = on_postgresql
    account = segflow.destinations.add("shop", "wk_shop_0001", "http://127.0.0.1:9")
    steps = [build_message(TrackEvent(event_name=f"Step {n}", user_id="u1")) for n in range(3)]
    segflow.outbox.enqueue_many(steps[:1], account.id)

    claiming, go_on = threading.Event(), threading.Event()

    def paused_fit(*args: object, **kwargs: object) -> list[ClaimedMessage]:
        claiming.set()  # the claim holds its lock and has read the queued messages
        go_on.wait(10)
        return batching.leading_fit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outbox, "leading_fit", paused_fit)
    claimed: list[list[ClaimedMessage]] = []
    claim = threading.Thread(
        target=lambda: claimed.append(segflow.outbox.claim(account.id, SENDER, lease=60))
    )
    claim.start()
    try:
        assert claiming.wait(10)
        turn = threading.Thread(
            target=segflow.outbox.enqueue_many,
            args=(steps[1:], account.id),
            kwargs={"chat_session_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"},
        )
        turn.start()
        turn.join(5)
        assert not turn.is_alive(), "the turn waited for the sender's claim"
    finally:
        go_on.set()
        claim.join(10)

    assert [m.message_id for m in claimed[0]] == [steps[0].message_id]
    later = segflow.outbox.claim(account.id, SENDER, lease=60)
    assert [m.message_id for m in later] == [m.message_id for m in steps[1:]]
