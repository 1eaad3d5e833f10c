"""Claiming batches from the outbox: a sender with batches in flight claims the messages after
them, in order, and one it gives back is claimed again before any later message."""

from __future__ import annotations

from segflow.delivery.outbox import ClaimedMessage
from segflow.segment import TrackEvent, build_message
from segflow.service import Segflow

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
