"""Empty required fields, and typed values that do not convert (JSON, numbers), are problems,
with a message that names the field: beside the field in the form, and by the API with each
problem's place, in `segflow validate`'s words. The draft is saved with them; they keep it
from being published."""

from __future__ import annotations

import copy
import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.editor.browser import add_block_to_canvas, block_card, expect_saved, screenshot
from tests.editor.harness import EditorServer
from tests.editor.helpers import saved_flow

TRACK_WITHOUT_EVENT_NAME: dict[str, Any] = {
    "id": "track",
    "type": "segment",
    "action": "Track Event",
    "eventName": "",
    "userId": "u-42",
    "properties": [{"key": "cart", "value": "{oops", "type": "json"}],
    "context": "[1, 2]",
}


def new_flow(editor: EditorServer, name: str) -> dict[str, Any]:
    flow: dict[str, Any] = editor.api.post("/flows", json={"name": name}).json()
    return flow


def test_the_form_shows_an_empty_required_field_and_invalid_json_and_saves_the_draft(
    page: Page, editor: EditorServer
) -> None:
    flow = new_flow(editor, "Checkout")
    page.goto(f"{editor.url}/editor/#/flows/{flow['id']}")
    canvas = page.locator(".canvas").bounding_box()
    assert canvas is not None
    add_block_to_canvas(page, "Segment", canvas["x"] + 520, canvas["y"] + 300)
    page.locator("#segment-action").select_option("Track Event")

    event_name = page.locator('[data-path="eventName"]')
    expect(event_name.locator(".field-error")).to_have_text("Event Name is required")
    expect(event_name.get_by_label("Event Name")).to_have_attribute("aria-required", "true")

    page.get_by_role("button", name="+ Add property").click()
    page.get_by_label("Property 1 key").fill("cart")
    page.get_by_label("Property 1 type").select_option("json")
    page.get_by_label("Property 1 value").fill("{oops")
    row_error = page.locator('[data-path="properties.0.value"] .field-error')
    expect(row_error).to_contain_text('Properties #1 "cart" is not valid JSON')
    # Whether a typed value is a number is segflow's to say: "0x10" is none, as for the CLI.
    page.get_by_role("button", name="+ Add property").click()
    page.get_by_label("Property 2 key").fill("count")
    page.get_by_label("Property 2 type").select_option("number")
    page.get_by_label("Property 2 value").fill("0x10")
    expect(page.locator('[data-path="properties.1.value"] .field-error')).to_have_text(
        'Properties #2 "count" is not a number: "0x10"'
    )

    page.locator(".advanced summary").click()
    page.locator('[data-path="context"] input').fill("[1, 2]")
    expect(page.locator('[data-path="context"] .field-error')).to_have_text(
        "Context is not a JSON object"
    )  # this one the API finds: the form shows it at its field
    expect(page.locator(".save-status")).to_have_text("Saved (4 problems)")
    expect(block_card(page, "segment")).to_have_class(re.compile(r"\bhas-problem\b"))
    screenshot(page, "editor-problems.png")

    page.locator(".save-status").click()
    expect(page.locator(".problem-list")).to_contain_text("Event Name is required")
    saved = editor.api.get(f"/flows/{flow['id']}").json()["draft"]
    [block] = [block for group in saved["groups"] for block in group["blocks"]]
    assert block["properties"][0] == {"key": "cart", "value": "{oops", "type": "json"}
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".save-status")).to_have_text("Not published: the draft has 4 problems")
    assert editor.api.get(f"/flows/{flow['id']}").json()["publishedVersion"] is None

    # Fixed, the draft has no problem.
    page.get_by_label("Event Name").fill("Order Completed")
    page.get_by_label("Property 1 value").fill('{"items": 2}')
    page.get_by_label("Property 2 value").fill("16")
    page.locator('[data-path="context"] input').fill('{"locale": "fr"}')
    expect_saved(page)
    saved = editor.api.get(f"/flows/{flow['id']}").json()["draft"]
    [block] = [block for group in saved["groups"] for block in group["blocks"]]
    assert block["eventName"] == "Order Completed"
    assert block["properties"] == [
        {"key": "cart", "value": '{"items": 2}', "type": "json"},
        {"key": "count", "value": "16", "type": "number"},
    ]


def test_the_api_saves_the_same_draft_says_where_each_problem_is_and_refuses_to_publish_it(
    editor: EditorServer,
) -> None:
    flow = new_flow(editor, "Checkout")
    draft = copy.deepcopy(flow["draft"])
    draft["groups"][0]["blocks"] = [TRACK_WITHOUT_EVENT_NAME]

    answer = editor.api.put(f"/flows/{flow['id']}/draft", json=draft)

    assert answer.status_code == 200
    body = answer.json()
    assert body["draft"] == draft
    assert editor.api.get(f"/flows/{flow['id']}").json()["draft"] == draft
    place = 'Group "Welcome" › block 1 (Segment)'
    found = {tuple(p["field"]): p["problem"] for p in body["problems"]}
    assert found.keys() == {("eventName",), ("context",), ("properties", 0, "value")}
    assert found["eventName",] == "Event Name is required"
    assert found["context",] == "Context is not a JSON object"
    assert found["properties", 0, "value"].startswith('Properties #1 "cart" is not valid JSON (')
    assert found["properties", 0, "value"].endswith('): "{oops"')
    assert {(p["place"], p["groupId"], p["blockId"]) for p in body["problems"]} == {
        (place, "welcome", "track")
    }

    checked = editor.api.post(f"/flows/{flow['id']}/check", json=draft)
    assert checked.status_code == 200
    assert checked.json()["problems"] == body["problems"]

    refused = editor.api.post(f"/flows/{flow['id']}/publish")
    assert refused.status_code == 422
    assert refused.json()["message"] == 'Flow "checkout" has 3 problems'
    assert refused.json()["problems"] == body["problems"]


def test_the_api_names_shape_problems_at_their_field(editor: EditorServer) -> None:
    flow = new_flow(editor, "Shapes")
    draft = copy.deepcopy(flow["draft"])
    draft["groups"][0]["blocks"] = [
        {"id": "ask", "type": "emailInput", "variable": "", "placehodler": "you@example.com"},
        {"id": "hello", "type": "text", "text": "Hi", "next": "nowhere"},
    ]

    problems = editor.api.put(f"/flows/{flow['id']}/draft", json=draft).json()["problems"]

    assert [(p["blockId"], p["field"], p["problem"]) for p in problems] == [
        ("ask", ["variable"], "Save the answer in is empty"),
        ("ask", ["placehodler"], '"placehodler" is not a known setting (a typo?)'),
        ("hello", [], 'Exit goes to group "nowhere", which does not exist'),
    ]


def test_a_regular_expression_that_backtracks_is_a_warning_and_the_draft_is_saved(
    page: Page, editor: EditorServer
) -> None:
    check = {
        "id": "check",
        "type": "condition",
        "items": [
            {"comparisons": [{"variable": "answer", "operator": "matchesRegex", "value": "x"}]}
        ],
    }
    flow_id = saved_flow(editor, "Slow", check, variables=[{"name": "answer"}])
    page.goto(f"{editor.url}/editor/#/flows/{flow_id}")
    block_card(page, "condition").click()

    page.locator('[data-path="items.0.comparisons.0.value"] input').fill("^(a+)+$")

    expect(page.locator(".save-status")).to_have_text("Saved (1 warning)")
    value = page.locator('[data-path="items.0.comparisons.0.value"]')
    expect(value.locator(".field-error")).to_contain_text("can take very long on some answers")
    expect(value).to_have_class(re.compile(r"\bwarned\b"))
    expect(block_card(page, "condition")).to_have_class(re.compile(r"\bhas-warning\b"))
    saved = editor.api.get(f"/flows/{flow_id}").json()["draft"]
    assert saved["groups"][0]["blocks"][0]["items"][0]["comparisons"][0]["value"] == "^(a+)+$"
