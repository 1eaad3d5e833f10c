"""Inputs wait for the person's answer, check it, store it, and choose the way on."""

from __future__ import annotations

from tests.flow.helpers import chat, flow_from_yaml, one_group, said

ASK_EMAIL = {"id": "ask", "type": "emailInput", "variable": "email"}
ECHO = {"id": "echo", "type": "text", "text": "Got {{answer}}"}


def test_a_text_input_ends_the_turn_and_stores_the_answer() -> None:
    flow = one_group(
        {"id": "ask", "type": "textInput", "variable": "answer", "placeholder": "Your {{thing}}"},
        ECHO,
        variables=["answer", "thing"],
    )

    first, second = chat(flow, "  blue  ", prefilled={"thing": "colour"})

    assert first.input is not None
    assert (first.input.block_id, first.input.type) == ("ask", "textInput")
    assert first.input.options["placeholder"] == "Your colour"  # templates are filled in
    assert second.state.variables["answer"] == "blue"
    assert said(second) == ["Got blue"]
    assert second.input is None and second.ended


def test_an_email_input_asks_again_until_the_answer_is_an_email() -> None:
    flow = one_group(ASK_EMAIL, {"id": "ok", "type": "text", "text": "Thanks"}, variables=["email"])

    _, wrong, right = chat(flow, "ada at example", " ada@example.com ")

    assert said(wrong) == ["This email doesn't seem to be valid. Can you type it again?"]
    assert wrong.input is not None and wrong.input.block_id == "ask"
    assert "email" not in wrong.state.variables or wrong.state.variables["email"] is None
    assert said(right) == ["Thanks"]
    assert right.state.variables["email"] == "ada@example.com"


def test_an_email_input_can_have_its_own_retry_message() -> None:
    flow = one_group(
        {**ASK_EMAIL, "retryMessage": "Hmm {{name}}, that is no email."},
        variables=["email", "name"],
    )

    _, wrong = chat(flow, "nope", prefilled={"name": "Ada"})

    assert said(wrong) == ["Hmm Ada, that is no email."]


def test_a_number_input_keeps_a_number_within_its_bounds() -> None:
    flow = one_group(
        {"id": "ask", "type": "numberInput", "variable": "seats", "min": 1, "max": 50},
        {"id": "echo", "type": "text", "text": "{{seats}} seats"},
        variables=["seats"],
    )

    _, words, too_many, decimal_comma = chat(flow, "three", "51", "2,5")

    assert said(words) == ["Please enter a number between 1 and 50."]
    assert said(too_many) == ["Please enter a number between 1 and 50."]
    assert decimal_comma.state.variables["seats"] == 2.5
    assert said(decimal_comma) == ["2.5 seats"]
    _, whole = chat(flow, "12")
    assert whole.state.variables["seats"] == 12  # a number, not the text "12"


def test_buttons_match_by_id_value_or_label_and_each_may_lead_elsewhere() -> None:
    flow = flow_from_yaml(
        """
        name: Plans
        variables: [{name: plan}]
        groups:
          - id: ask
            title: Ask
            blocks:
              - id: pick
                type: choiceInput
                variable: plan
                items:
                  - {id: p1, label: Free, value: free}
                  - {id: p2, label: Pro, value: pro, next: pro}
                  - {id: p3, label: Enterprise}
                next: thanks
          - id: pro
            title: Pro
            blocks: [{id: pro-text, type: text, text: "Pro it is: {{plan}}"}]
          - id: thanks
            title: Thanks
            blocks: [{id: thanks-text, type: text, text: "Thanks: {{plan}}"}]
        """
    )

    assert said(chat(flow, "p2")[-1]) == ["Pro it is: pro"]  # by ID; the item's own exit
    assert said(chat(flow, "FREE")[-1]) == ["Thanks: free"]  # by value, any case; the block's exit
    assert said(chat(flow, "enterprise")[-1]) == ["Thanks: Enterprise"]  # by label; no value
    _, unknown = chat(flow, "gold")
    assert said(unknown) == ["Please pick one of the options."]
    assert unknown.input is not None and unknown.input.block_id == "pick"
    assert [item["label"] for item in unknown.input.options["items"]] == [
        "Free",
        "Pro",
        "Enterprise",
    ]
