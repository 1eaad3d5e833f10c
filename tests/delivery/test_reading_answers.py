"""What a 2xx answer's body refuses, for the bodies Segment-compatible collectors send."""

from __future__ import annotations

import orjson
import pytest

from segflow.delivery.http import Answer, read_refusal

IDS = ["m-1", "m-2", "m-3"]


def ok(body: object) -> Answer:
    return Answer(200, body if isinstance(body, str) else orjson.dumps(body).decode())


@pytest.mark.parametrize(
    "body",
    [
        {"success": True},  # Segment
        "OK",  # RudderStack
        {"status": "ok"},  # Jitsu Classic
        {"ok": True},
        "",
    ],
)
def test_accepting_bodies_refuse_nothing(body: object) -> None:
    assert read_refusal(ok(body), IDS) is None


def test_jitsu_errors_name_the_refused_events_by_message_id_or_position() -> None:
    refusal = read_refusal(
        ok(
            {
                "ok": False,
                "errors": [
                    {"messageId": "m-2", "error": "event name is longer than 64 characters"},
                    {"index": 2, "message": "missing userId"},
                ],
            }
        ),
        IDS,
    )
    assert refusal is not None
    assert dict(refusal.by_message) == {
        "m-2": "event name is longer than 64 characters",
        "m-3": "missing userId",
    }


def test_an_error_naming_a_message_in_its_text_refuses_that_one() -> None:
    refusal = read_refusal(ok({"ok": False, "errors": ["m-1: invalid timestamp"]}), IDS)
    assert refusal is not None and dict(refusal.by_message) == {"m-1": "m-1: invalid timestamp"}


def test_a_refusal_naming_no_event_refuses_the_whole_request() -> None:
    refusal = read_refusal(ok({"ok": False, "errors": ["quota exceeded"]}), IDS)
    assert refusal is not None
    assert (refusal.reason, dict(refusal.by_message)) == ("quota exceeded", {})


def test_error_answers_are_not_read_as_refusals_here() -> None:
    assert read_refusal(Answer(400, '{"ok": false}'), IDS) is None
