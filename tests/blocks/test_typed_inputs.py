"""URL, phone number and date inputs ask again until the answer has their shape, and keep it
in one tidy form."""

from __future__ import annotations

import pytest

from segflow.flow import FlowError
from tests.flow.helpers import chat, one_group, said

THANKS = {"id": "ok", "type": "text", "text": "Thanks"}


def test_a_url_input_asks_again_until_the_answer_is_a_web_address() -> None:
    flow = one_group(
        {"id": "ask", "type": "urlInput", "variable": "site"}, THANKS, variables=["site"]
    )

    _, words, spaced, right = chat(flow, "my site", "http://exa mple.com", " example.com/pricing ")

    assert said(words) == ["This URL doesn't seem to be valid. Can you type it again?"]
    assert said(spaced) == said(words)
    assert words.input is not None and words.input.type == "urlInput"
    assert said(right) == ["Thanks"]
    assert right.state.variables["site"] == "https://example.com/pricing"  # a scheme is added
    _, kept = chat(flow, "http://localhost:8080/a?b=1")
    assert kept.state.variables["site"] == "http://localhost:8080/a?b=1"


def test_a_phone_input_keeps_digits_and_plus_and_refuses_anything_else() -> None:
    flow = one_group(
        {"id": "ask", "type": "phoneInput", "variable": "phone", "retryMessage": "Not a number"},
        THANKS,
        variables=["phone"],
    )

    _, letters, short, right = chat(flow, "call me", "12 34", "+33 (6) 12-34-56-78")

    assert said(letters) == ["Not a number"]
    assert said(short) == ["Not a number"]
    assert right.state.variables["phone"] == "+33612345678"
    _, old_prefix = chat(flow, "0044 20 7946 0000")
    assert old_prefix.state.variables["phone"] == "+442079460000"
    _, too_long = chat(flow, "+1234567890123456")
    assert said(too_long) == ["Not a number"]


def test_a_date_input_keeps_the_date_in_its_format_within_bounds() -> None:
    flow = one_group(
        {
            "id": "ask",
            "type": "dateInput",
            "variable": "day",
            "min": "2026-01-01",
            "max": "2026-12-31",
            "format": "dd/MM/yyyy",
        },
        {"id": "echo", "type": "text", "text": "See you on {{day}}"},
        variables=["day"],
    )

    first, words, too_late, right = chat(flow, "soon", "2027-01-05", "2026-03-09")

    assert first.input is not None and first.input.options["min"] == "2026-01-01"
    assert said(words) == ["Please enter a date between 2026-01-01 and 2026-12-31."]
    assert said(too_late) == said(words)
    assert right.state.variables["day"] == "09/03/2026"
    assert said(right) == ["See you on 09/03/2026"]
    _, typed = chat(flow, "9/3/2026")  # typed day first, as the stored format reads
    assert typed.state.variables["day"] == "09/03/2026"


def test_a_date_input_with_time_keeps_the_time_too() -> None:
    flow = one_group(
        {"id": "ask", "type": "dateInput", "variable": "at", "hasTime": True}, variables=["at"]
    )

    _, date_only, picked = chat(flow, "2026-02-30", "2026-02-03T09:30")

    assert said(date_only) == ["Please enter a date, e.g. 2025-12-31."]  # no 30 February
    assert picked.state.variables["at"] == "2026-02-03 09:30"


def test_a_date_input_names_bad_bounds_and_formats() -> None:
    with pytest.raises(FlowError, match="Earliest date"):
        one_group(
            {
                "id": "ask",
                "type": "dateInput",
                "variable": "d",
                "min": "2026-02-01",
                "max": "2026-01-01",
            },
            variables=["d"],
        )
    with pytest.raises(FlowError, match="none of yyyy"):
        one_group(
            {"id": "ask", "type": "dateInput", "variable": "d", "format": "DDDD"}, variables=["d"]
        )


PICK_SEVERAL = {
    "id": "pick",
    "type": "choiceInput",
    "variable": "toppings",
    "multiple": True,
    "items": [
        {"id": "t-cheese", "label": "Cheese"},
        {"id": "t-ham", "label": "Ham", "value": "ham"},
        {"id": "t-olives", "label": "Olives, black"},
    ],
}


def test_buttons_with_several_answers_keep_every_pick_in_the_buttons_order() -> None:
    flow = one_group(PICK_SEVERAL, THANKS, variables=["toppings"])

    first, unknown, picked = chat(flow, "Cheese, pineapple", "t-olives, ham,cheese")

    assert first.input is not None and first.input.options["multiple"] is True
    assert said(unknown) == ["Please pick one of the options."]
    assert "toppings" not in unknown.state.variables or not unknown.state.variables["toppings"]
    assert picked.state.variables["toppings"] == "Cheese, ham, Olives, black"
    assert said(picked) == ["Thanks"]
    _, one_with_a_comma = chat(flow, "olives, black")
    assert one_with_a_comma.state.variables["toppings"] == "Olives, black"


def test_buttons_with_several_answers_cannot_lead_each_elsewhere() -> None:
    leading = {**PICK_SEVERAL, "items": [{"id": "a", "label": "A", "next": "elsewhere"}]}
    with pytest.raises(FlowError, match="'A' cannot lead to a group of its own"):
        one_group(leading, variables=["toppings"])


def test_a_rating_keeps_a_whole_number_within_its_range() -> None:
    flow = one_group(
        {"id": "rate", "type": "ratingInput", "variable": "score", "lowest": 1, "highest": 5},
        {"id": "echo", "type": "text", "text": "{{score}} stars"},
        variables=["score"],
    )

    first, too_high, half, right = chat(flow, "6", "4.5", " 4 ")

    assert first.input is not None and first.input.options["highest"] == 5
    assert said(too_high) == ["Please pick a rating from 1 to 5."]
    assert said(half) == said(too_high)
    assert right.state.variables["score"] == 4  # a number, not the text "4"
    assert said(right) == ["4 stars"]
    with pytest.raises(FlowError, match="Lowest"):
        one_group(
            {"id": "rate", "type": "ratingInput", "variable": "s", "lowest": 5, "highest": 5},
            variables=["s"],
        )
