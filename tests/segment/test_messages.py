import copy
import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from segflow import __version__
from segflow.errors import SegmentActionError
from segflow.segment.actions import (
    Alias,
    Group,
    IdentifyUser,
    PageView,
    Screen,
    SegmentAction,
    TrackEvent,
)
from segflow.segment.messages import (
    MAX_MESSAGE_BYTES,
    build_message,
    message_from_body,
)
from segflow.segment.values import KeyValue, ValueType

NOW = datetime(2024, 5, 1, 12, 30, 5, 123456, tzinfo=UTC)
STAMP = "2024-05-01T12:30:05.123Z"
LIBRARY = {"name": "segflow", "version": __version__}


def refusal(
    action: SegmentAction,
    variables: dict[str, object] | None = None,
    *,
    anonymous_id: str | None = None,
    user_id: str | None = None,
) -> str:
    with pytest.raises(SegmentActionError) as caught:
        build_message(action, variables or {}, anonymous_id=anonymous_id, user_id=user_id)
    return str(caught.value)


def test_identify_sends_user_id_and_traits_with_the_email_among_them() -> None:
    action = IdentifyUser(
        user_id="{{user}}",
        email="{{email}}",
        traits=[
            KeyValue(key="name", value="{{name}}"),
            KeyValue(key="age", value="36", type=ValueType.NUMBER),
        ],
        message_id="m-1",
    )
    variables = {"user": "u-1", "email": "ada@example.com", "name": "Ada"}
    message = build_message(action, variables, now=NOW)
    assert message.type == "identify"
    assert message.message_id == "m-1"
    assert message.body() == {
        "type": "identify",
        "messageId": "m-1",
        "timestamp": STAMP,
        "userId": "u-1",
        "traits": {"email": "ada@example.com", "name": "Ada", "age": 36},
        "context": {"library": LIBRARY},
    }


def test_alias_sends_previous_and_new_user_id() -> None:
    action = Alias(previous_id="{{anon}}", user_id="u-1", message_id="m-1")
    assert build_message(action, {"anon": "a-9"}, now=NOW).body() == {
        "type": "alias",
        "messageId": "m-1",
        "timestamp": STAMP,
        "previousId": "a-9",
        "userId": "u-1",
        "context": {"library": LIBRARY},
    }


def test_track_sends_the_event_and_its_properties() -> None:
    action = TrackEvent(
        event_name="Order {{status}}",
        user_id="u-1",
        properties=[
            KeyValue(key="price", value="{{price}}", type=ValueType.NUMBER),
            KeyValue(key="items", value="items", type=ValueType.VARIABLE),
        ],
        message_id="m-1",
    )
    variables = {"status": "Completed", "price": "19.90", "items": ["tea", "cake"]}
    assert build_message(action, variables, now=NOW).body() == {
        "type": "track",
        "messageId": "m-1",
        "timestamp": STAMP,
        "event": "Order Completed",
        "userId": "u-1",
        "properties": {"price": 19.9, "items": ["tea", "cake"]},
        "context": {"library": LIBRARY},
    }


def test_page_sends_name_category_and_properties() -> None:
    action = PageView(
        name="Pricing",
        category="{{section}}",
        properties=[KeyValue(key="url", value="https://example.com/pricing")],
        message_id="m-1",
    )
    body = build_message(action, {"section": "Docs"}, user_id="u-1", now=NOW).body()
    assert body == {
        "type": "page",
        "messageId": "m-1",
        "timestamp": STAMP,
        "userId": "u-1",
        "name": "Pricing",
        "category": "Docs",
        "properties": {"url": "https://example.com/pricing"},
        "context": {"library": LIBRARY},
    }


def test_page_leaves_out_a_category_that_fills_in_empty() -> None:
    action = PageView(name="Pricing", category="{{section}}")
    assert "category" not in build_message(action, {}, user_id="u-1").body()


def test_group_sends_the_group_id_and_its_traits() -> None:
    action = Group(
        group_id="{{company_id}}",
        user_id="u-1",
        traits=[KeyValue(key="name", value="Acme"), KeyValue(key="address.city", value="Lyon")],
        message_id="m-1",
    )
    assert build_message(action, {"company_id": "c-7"}, now=NOW).body() == {
        "type": "group",
        "messageId": "m-1",
        "timestamp": STAMP,
        "userId": "u-1",
        "groupId": "c-7",
        "traits": {"name": "Acme", "address": {"city": "Lyon"}},
        "context": {"library": LIBRARY},
    }


def test_screen_sends_the_name_and_properties() -> None:
    action = Screen(
        name="Checkout",
        properties=[KeyValue(key="step", value="2", type=ValueType.NUMBER)],
        message_id="m-1",
    )
    assert build_message(action, anonymous_id="a-1", now=NOW).body() == {
        "type": "screen",
        "messageId": "m-1",
        "timestamp": STAMP,
        "anonymousId": "a-1",
        "name": "Checkout",
        "properties": {"step": 2},
        "context": {"library": LIBRARY},
    }


def test_the_chat_sessions_ids_are_used_when_the_action_has_none() -> None:
    body = build_message(Screen(name="Home"), anonymous_id="a-1", user_id="u-1").body()
    assert (body["userId"], body["anonymousId"]) == ("u-1", "a-1")


def test_the_actions_own_ids_win_over_the_chat_sessions() -> None:
    action = Screen(name="Home", user_id="{{user}}", anonymous_id="a-own")
    body = build_message(action, {"user": "u-own"}, anonymous_id="a-1", user_id="u-1").body()
    assert (body["userId"], body["anonymousId"]) == ("u-own", "a-own")


def test_a_required_user_id_that_fills_in_empty_falls_back_to_the_chat_sessions() -> None:
    action = TrackEvent(event_name="Signed Up", user_id="{{user}}")
    assert build_message(action, {}, user_id="u-session").body()["userId"] == "u-session"


def test_empty_ids_are_left_out_of_the_message() -> None:
    body = build_message(Screen(name="Home", user_id="{{user}}"), anonymous_id="a-1").body()
    assert "userId" not in body
    assert body["anonymousId"] == "a-1"


def test_a_message_with_neither_user_nor_anonymous_id_is_refused() -> None:
    assert refusal(PageView(name="Pricing", user_id="{{user}}")) == (
        "Page View: the message has neither a User ID nor an Anonymous ID; "
        "Segment drops such messages"
    )


def test_a_required_value_that_fills_in_empty_is_refused_naming_the_template() -> None:
    action = TrackEvent(event_name="{{event}}", user_id="u-1")
    assert refusal(action, {"event": ""}) == (
        'Track Event: Event Name is empty after filling in "{{event}}"'
    )


def test_a_required_value_left_empty_is_refused() -> None:
    assert refusal(Alias(previous_id=" ", user_id="u-1")) == "Alias: Previous ID is empty"
    assert refusal(Group(group_id=""), user_id="u-1") == "Group: Group ID is empty"


def test_a_required_user_id_with_no_session_fallback_is_refused() -> None:
    action = TrackEvent(event_name="Signed Up", user_id="{{user}}")
    assert refusal(action, anonymous_id="a-1") == (
        'Track Event: User ID is empty after filling in "{{user}}"'
    )


def test_identify_refuses_an_email_trait_that_competes_with_the_email_field() -> None:
    action = IdentifyUser(user_id="u-1", email="a@b.c", traits=[KeyValue(key="email", value="x")])
    assert refusal(action) == (
        'Identify User: Traits has "email", which belongs in the Email field'
    )


def test_errors_in_traits_and_properties_name_the_action_and_field() -> None:
    action = Group(
        group_id="c-1", traits=[KeyValue(key="size", value="big", type=ValueType.NUMBER)]
    )
    assert refusal(action, user_id="u-1") == 'Group: Traits "size" is not a number: "big"'


def test_a_message_id_given_by_the_action_is_kept() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1", message_id="order-{{order}}")
    message = build_message(action, {"order": 42})
    assert message.message_id == "order-42"
    assert message.body()["messageId"] == "order-42"


def test_without_a_message_id_each_message_gets_a_fresh_uuid4() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1")
    first, second = build_message(action), build_message(action)
    assert uuid.UUID(first.message_id).version == 4
    assert uuid.UUID(first.message_id).variant == uuid.RFC_4122
    assert str(uuid.UUID(first.message_id)) == first.message_id  # lower case, with dashes
    assert first.message_id != second.message_id
    assert first.body()["messageId"] == first.message_id


def test_fresh_message_ids_are_all_version_4_uuids_of_every_variant() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1")
    ids = [build_message(action).message_id for _ in range(400)]
    parsed = [uuid.UUID(message_id) for message_id in ids]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in parsed)
    assert [str(u) for u in parsed] == ids
    assert {message_id[19] for message_id in ids} == set("89ab")
    assert len(set(ids)) == len(ids)


def test_a_forked_worker_makes_other_message_ids_than_its_parent() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1")
    build_message(action)  # the parent has IDs made for its next messages
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        ids = "\n".join(build_message(action).message_id for _ in range(300))
        os.write(writing, ids.encode())
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        child_ids = set(pipe.read().split())
    os.waitpid(child, 0)
    parent_ids = {build_message(action).message_id for _ in range(300)}
    assert len(child_ids) == 300
    assert not child_ids & parent_ids


def test_without_a_timestamp_the_message_is_stamped_now_in_utc_with_milliseconds() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = build_message(TrackEvent(event_name="Paid", user_id="u-1")).body()["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    assert before <= datetime.fromisoformat(stamp) <= datetime.now(UTC)


def test_an_action_sends_each_time_its_variables_of_that_time() -> None:
    action = TrackEvent(
        event_name="{{event}}",
        user_id="u-1",
        properties=[
            KeyValue(key="plan", value="{{plan}}"),
            KeyValue(key="seats", value="{{seats}}", type=ValueType.NUMBER),
        ],
    )
    first = build_message(action, {"event": "Paid", "plan": "pro", "seats": "3"}, now=NOW)
    second = build_message(action, {"event": "Refunded", "plan": "team", "seats": "5"}, now=NOW)
    assert (first.body()["event"], first.body()["properties"]) == (
        "Paid",
        {"plan": "pro", "seats": 3},
    )
    assert (second.body()["event"], second.body()["properties"]) == (
        "Refunded",
        {"plan": "team", "seats": 5},
    )
    with pytest.raises(SegmentActionError, match='"seats" is not a number: "many"'):
        build_message(action, {"event": "Paid", "seats": "many"})


def test_a_changed_copy_of_an_action_sends_its_own_values() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1")
    build_message(action)
    changed = action.model_copy(update={"event_name": "Refunded"})
    assert build_message(changed).body()["event"] == "Refunded"
    assert build_message(action).body()["event"] == "Paid"


def test_a_message_id_over_100_characters_is_refused() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1", message_id="x" * 101)
    assert refusal(action) == (
        "Track Event: Message ID is 101 characters long; Segment accepts at most 100"
    )


@pytest.mark.parametrize(
    ("given", "stamp"),
    [
        ("2024-05-01T14:30:05+02:00", "2024-05-01T12:30:05.000Z"),
        ("2024-05-01T12:30:05.123456Z", "2024-05-01T12:30:05.123Z"),
        ("2024-05-01 12:30:05", "2024-05-01T12:30:05.000Z"),
        ("2024-05-01", "2024-05-01T00:00:00.000Z"),
    ],
)
def test_the_actions_timestamp_is_normalised_to_utc_with_milliseconds(
    given: str, stamp: str
) -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1", timestamp="{{when}}")
    assert build_message(action, {"when": given}, now=NOW).body()["timestamp"] == stamp


def test_without_a_timestamp_the_message_is_stamped_now() -> None:
    before = datetime.now(UTC)
    stamp = build_message(TrackEvent(event_name="Paid", user_id="u-1")).body()["timestamp"]
    after = datetime.now(UTC)
    assert stamp.endswith("Z")
    assert (
        before.replace(microsecond=before.microsecond // 1000 * 1000)
        <= (datetime.fromisoformat(stamp))
        <= after
    )


def test_a_timestamp_that_is_not_iso_8601_is_refused() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1", timestamp="yesterday")
    assert refusal(action) == (
        'Track Event: Timestamp is not an ISO-8601 date and time: "yesterday"'
    )


def test_the_actions_context_is_sent_with_segflow_as_the_library() -> None:
    action = TrackEvent(
        event_name="Paid",
        user_id="u-1",
        context='{"locale": "{{locale}}", "library": {"name": "someone-else"}}',
    )
    body = build_message(action, {"locale": "fr-FR"}).body()
    assert body["context"] == {"locale": "fr-FR", "library": LIBRARY}


def test_integrations_are_sent_when_given() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1", integrations='{"Mixpanel": false}')
    assert build_message(action).body()["integrations"] == {"Mixpanel": False}
    assert "integrations" not in build_message(TrackEvent(event_name="x", user_id="u")).body()


def test_context_and_integrations_that_are_not_json_objects_are_refused() -> None:
    bad_context = TrackEvent(event_name="Paid", user_id="u-1", context="{{ctx}}")
    message = refusal(bad_context, {"ctx": "{locale: fr}"})
    assert message.startswith("Track Event: Context is not valid JSON (")
    assert message.endswith(': "{locale: fr}" (filled in from "{{ctx}}")')
    not_an_object = TrackEvent(event_name="Paid", user_id="u-1", integrations='["Mixpanel"]')
    assert refusal(not_an_object) == (
        'Track Event: Integrations is not a JSON object: "["Mixpanel"]"'
    )


def test_fixed_context_and_integrations_go_into_every_message_and_no_chat_leaks_into_another() -> (
    None
):
    action = TrackEvent(
        event_name="Paid",
        user_id="u-1",
        context='{"app": {"name": "shop"}}',
        integrations='{"Mixpanel": false}',
    )
    visitor = {"page": {"path": "/pricing"}}
    first = build_message(action, context=visitor).body()
    second = build_message(action).body()
    assert first["context"] == {
        "page": {"path": "/pricing"},
        "app": {"name": "shop"},
        "library": LIBRARY,
    }
    assert second["context"] == {"app": {"name": "shop"}, "library": LIBRARY}
    assert first["integrations"] == second["integrations"] == {"Mixpanel": False}


def test_a_fixed_field_that_is_not_json_is_refused_at_every_message() -> None:
    action = TrackEvent(event_name="Paid", user_id="u-1", context="{locale: fr}")
    assert refusal(action).startswith("Track Event: Context is not valid JSON (")
    assert refusal(action).startswith("Track Event: Context is not valid JSON (")


def sized_body(size: int) -> dict[str, Any]:
    """A raw track message whose JSON is exactly `size` bytes."""
    body: dict[str, Any] = {
        "type": "track",
        "event": "Big",
        "userId": "u-1",
        "messageId": "m-1",
        "timestamp": STAMP,
        "properties": {"padding": ""},
    }
    unpadded = len(message_from_body(body).payload)
    body["properties"] = {"padding": "x" * (size - unpadded)}
    return body


def test_a_message_of_exactly_32_kb_is_accepted() -> None:
    assert len(message_from_body(sized_body(MAX_MESSAGE_BYTES)).payload) == MAX_MESSAGE_BYTES


@pytest.mark.parametrize(
    ("size", "shown"), [(MAX_MESSAGE_BYTES + 1, "32.1 KB"), (41_164, "40.2 KB")]
)
def test_a_message_over_32_kb_is_refused_when_it_is_built(size: int, shown: str) -> None:
    with pytest.raises(SegmentActionError) as caught:
        message_from_body(sized_body(size))
    assert str(caught.value) == (
        f"Track Event: the message is {shown}; Segment accepts at most 32 KB per message"
    )


def test_an_action_with_too_much_data_is_refused_when_it_is_built() -> None:
    action = TrackEvent(
        event_name="Chat",
        user_id="u-1",
        properties=[KeyValue(key="transcript", value="{{transcript}}")],
    )
    message = refusal(action, {"transcript": "x" * MAX_MESSAGE_BYTES})
    assert message.startswith("Track Event: the message is 32.")
    assert message.endswith("KB; Segment accepts at most 32 KB per message")


def test_a_raw_message_is_stamped_with_what_it_lacks() -> None:
    raw = {"type": "track", "event": "Paid", "anonymousId": "a-1", "context": {"ip": "0.0.0.0"}}
    unchanged = copy.deepcopy(raw)
    message = message_from_body(raw, now=NOW)
    assert message.type == "track"
    assert uuid.UUID(message.message_id).version == 4
    assert message.body() == {
        "type": "track",
        "event": "Paid",
        "anonymousId": "a-1",
        "messageId": message.message_id,
        "timestamp": STAMP,
        "context": {"ip": "0.0.0.0", "library": LIBRARY},
    }
    assert raw == unchanged


def test_a_raw_message_keeps_its_own_message_id_and_timestamp() -> None:
    raw = {"type": "page", "userId": "u-1", "messageId": "m-9", "timestamp": "2024-01-02T03:04:05Z"}
    body = message_from_body(raw, now=NOW).body()
    assert (body["messageId"], body["timestamp"]) == ("m-9", "2024-01-02T03:04:05.000Z")


def test_a_raw_message_of_unknown_type_is_refused() -> None:
    with pytest.raises(SegmentActionError) as caught:
        message_from_body({"type": "trak", "userId": "u-1"})
    assert str(caught.value) == (
        "Segment message: type must be one of identify, alias, track, page, group, screen, "
        "not 'trak'"
    )


def test_a_raw_message_without_any_id_is_refused() -> None:
    with pytest.raises(SegmentActionError) as caught:
        message_from_body({"type": "screen", "name": "Home", "userId": ""})
    assert str(caught.value) == (
        "Screen: the message has neither a User ID nor an Anonymous ID; Segment drops such messages"
    )


def test_identify_sends_an_email_trait_only_when_the_email_field_is_written() -> None:
    traits = [KeyValue(key="plan", value="pro")]
    left_empty = build_message(IdentifyUser(user_id="u-1", traits=traits)).body()
    assert left_empty["traits"] == {"plan": "pro"}
    written = IdentifyUser(user_id="u-1", email="{{email}}", traits=traits)
    assert build_message(written, {"email": "ada@example.com"}).body()["traits"] == {
        "email": "ada@example.com",
        "plan": "pro",
    }
    assert refusal(written, {"email": ""}) == (
        'Identify User: Email is empty after filling in "{{email}}"'
    )


def test_a_chat_visitor_is_identified_by_the_anonymous_id_when_no_user_id_is_known() -> None:
    action = IdentifyUser(user_id="", traits=[KeyValue(key="plan", value="pro")])
    body = build_message(action, anonymous_id="anon-7", anonymous_visitor=True).body()
    assert "userId" not in body
    assert (body["anonymousId"], body["traits"]) == ("anon-7", {"plan": "pro"})
    assert refusal(action, anonymous_id="anon-7") == "Identify User: User ID is empty"
