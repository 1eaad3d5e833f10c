from typing import Any

import pytest
from pydantic import ValidationError

from segflow.segment.actions import (
    ACTIONS,
    SEGMENT_ACTION_ADAPTER,
    ActionBase,
    Alias,
    Group,
    IdentifyUser,
    PageView,
    Screen,
    TrackEvent,
)
from segflow.segment.values import KeyValue, ValueType

ADVANCED_TITLES = {
    "anonymousId": "Anonymous ID",
    "timestamp": "Timestamp",
    "context": "Context",
    "integrations": "Integrations",
    "messageId": "Message ID",
}

# What the editor's form needs from each action: its own field titles and required keys.
FORMS: list[tuple[type[ActionBase], str, dict[str, str], set[str]]] = [
    (
        IdentifyUser,
        "Identify User",
        {"userId": "User ID", "email": "Email", "traits": "Traits"},
        {"userId"},
    ),
    (Alias, "Alias", {"previousId": "Previous ID", "userId": "User ID"}, {"previousId", "userId"}),
    (
        TrackEvent,
        "Track Event",
        {"eventName": "Event Name", "userId": "User ID", "properties": "Properties"},
        {"eventName", "userId"},
    ),
    (
        PageView,
        "Page View",
        {"name": "Name", "category": "Category", "properties": "Properties", "userId": "User ID"},
        {"name"},
    ),
    (Group, "Group", {"groupId": "Group ID", "userId": "User ID", "traits": "Traits"}, {"groupId"}),
    (Screen, "Screen", {"name": "Name", "userId": "User ID", "properties": "Properties"}, {"name"}),
]


@pytest.mark.parametrize(("model", "action", "titles", "required"), FORMS)
def test_each_action_schema_has_the_titles_and_required_fields_of_its_form(
    model: type[ActionBase], action: str, titles: dict[str, str], required: set[str]
) -> None:
    schema = model.model_json_schema()
    properties = schema["properties"]
    assert properties["action"]["const"] == action
    assert {name: properties[name]["title"] for name in titles} == titles
    assert {name: properties[name]["title"] for name in ADVANCED_TITLES} == ADVANCED_TITLES
    assert set(schema["required"]) == required
    assert schema["description"]
    assert all(properties[name].get("description") for name in [*titles, *ADVANCED_TITLES])


@pytest.mark.parametrize("model", ACTIONS)
def test_schemas_tell_the_editor_which_widget_each_field_needs(model: type[ActionBase]) -> None:
    properties = model.model_json_schema()["properties"]
    widgets = {name: field.get("ui") for name, field in properties.items() if name != "action"}
    for name, widget in widgets.items():
        expected = "key-value" if name in {"traits", "properties"} else "template"
        assert widget == expected, name
    assert all(properties[name]["advanced"] is True for name in ADVANCED_TITLES)


def test_key_value_rows_describe_their_types_to_the_editor() -> None:
    schema = TrackEvent.model_json_schema()["$defs"]
    row = schema["KeyValue"]["properties"]
    assert {name: field["title"] for name, field in row.items()} == {
        "key": "Key",
        "value": "Value",
        "type": "Type",
    }
    assert schema["ValueType"]["enum"] == ["text", "number", "boolean", "json", "variable"]


def test_the_adapter_picks_the_action_by_name_from_camel_case_json() -> None:
    action = SEGMENT_ACTION_ADAPTER.validate_json(
        '{"action": "Track Event", "eventName": "Signed Up", "userId": "{{user}}",'
        ' "messageId": "m-1", "properties": [{"key": "plan", "value": "pro"}]}'
    )
    assert action == TrackEvent(
        event_name="Signed Up",
        user_id="{{user}}",
        message_id="m-1",
        properties=[KeyValue(key="plan", value="pro", type=ValueType.TEXT)],
    )


def test_actions_serialise_with_camel_case_keys_and_read_back_the_same() -> None:
    action = PageView(name="Pricing", user_id="u-1", anonymous_id="a-1")
    data: dict[str, Any] = action.model_dump(mode="json")
    assert data["userId"] == "u-1"
    assert data["anonymousId"] == "a-1"
    assert data["action"] == "Page View"
    assert SEGMENT_ACTION_ADAPTER.validate_python(data) == action


def test_an_action_missing_a_required_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="eventName"):
        SEGMENT_ACTION_ADAPTER.validate_python({"action": "Track Event", "userId": "u-1"})


def test_a_misspelled_field_is_refused_rather_than_silently_dropped() -> None:
    with pytest.raises(ValidationError, match="evenName"):
        SEGMENT_ACTION_ADAPTER.validate_python(
            {"action": "Track Event", "userId": "u-1", "eventName": "x", "evenName": "y"}
        )


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValidationError, match="Identify User"):
        SEGMENT_ACTION_ADAPTER.validate_python({"action": "Identify", "userId": "u-1"})
