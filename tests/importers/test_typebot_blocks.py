"""Each Typebot block as the segflow block it becomes, and what the report says about it."""

from typing import Any

import pytest

from segflow.importers import FindingKind, TypebotImport
from tests.importers.helpers import about, block, bot, has_block, imported, text_block, typebot


@pytest.fixture(scope="module")
def lead() -> TypebotImport:
    return imported("lead-capture.v6.1.json")


@pytest.fixture(scope="module")
def quiz() -> TypebotImport:
    return imported("quiz-logic.v6.json")


@pytest.fixture(scope="module")
def others() -> TypebotImport:
    return imported("unsupported.v6.1.json")


class TestBubbles:
    def test_rich_text_keeps_bold_italic_links_and_paragraphs(self, lead: TypebotImport) -> None:
        assert block(lead.flow, "b-hello") == {
            "id": "b-hello",
            "type": "text",
            "text": "Hi! I'm **Ada**.\n\n*Glad* you came. "
            "See [our pricing](https://example.com/pricing) (terms apply)",
        }
        assert "cannot show underline" in about(lead, "b-hello")[0].message

    def test_text_of_older_exports_from_html_or_plain_text(self) -> None:
        flow = imported("menu.v5.json").flow

        assert block(flow, "b-hello-html")["text"] == (
            "Hello **{{Name}}**!\nRead [the FAQ](https://example.com/faq) first."
        )
        assert block(flow, "b-menu-text")["text"] == "Pick one:"

    def test_image_with_its_description(self, lead: TypebotImport) -> None:
        assert block(lead.flow, "b-logo") == {
            "id": "b-logo",
            "type": "image",
            "url": "https://example.com/ada.png",
            "alt": "Ada, our assistant",
        }
        assert "segflow images are not links" in about(lead, "b-logo")[0].message


class TestInputs:
    def test_text_input_with_its_labels(self, lead: TypebotImport) -> None:
        assert block(lead.flow, "b-ask-name") == {
            "id": "b-ask-name",
            "type": "textInput",
            "variable": "First_name_2",
            "placeholder": "Your first name",
            "buttonLabel": "Next",
            "next": "g-email",
        }
        assert block(lead.flow, "b-ask-comment")["long"] is True

    def test_email_input_keeps_its_retry_message(self, lead: TypebotImport) -> None:
        email = block(lead.flow, "b-ask-email")

        assert email["type"] == "emailInput"
        assert email["retryMessage"] == "Hmm {{First_name_2}}, that is not an email."

    def test_number_input_keeps_fixed_bounds_and_reports_a_variable_one(
        self, lead: TypebotImport
    ) -> None:
        seats = block(lead.flow, "b-ask-seats")

        assert (seats["type"], seats["min"], seats["step"]) == ("numberInput", 1, 1)
        assert "max" not in seats
        said = [finding.message for finding in about(lead, "b-ask-seats")]
        assert any('its max "{{Seat limit}}" is not a fixed number' in s for s in said)
        assert any("segflow keeps the answer as a number" in s for s in said)

    def test_choice_input_items_with_values_and_exits(self, lead: TypebotImport) -> None:
        plan = block(lead.flow, "b-ask-plan")

        assert plan["variable"] == "Plan"
        assert plan["items"] == [
            {"id": "i-free", "label": "Free", "value": "free", "next": "g-segment"},
            {"id": "i-pro", "label": "Pro"},
        ]

    def test_multiple_choice_follows_the_blocks_exit_and_says_so(self) -> None:
        document = typebot("lead-capture.v6.1.json")
        [ask_plan] = [b for g in document["groups"] for b in g["blocks"] if b["id"] == "b-ask-plan"]
        ask_plan["options"]["isMultipleChoice"] = True

        result = imported(document)
        plan = block(result.flow, "b-ask-plan")

        assert plan["multiple"] is True
        assert plan["next"] == "g-comment"
        assert plan["items"] == [
            {"id": "i-free", "label": "Free", "value": "free"},  # its own exit is left out
            {"id": "i-pro", "label": "Pro"},
        ]
        [finding] = about(result, "b-ask-plan")
        assert finding.kind is FindingKind.CHANGED
        assert "the choices' own exits are left out" in finding.message


class TestSetVariable:
    @pytest.mark.parametrize(
        ("block_id", "value"),
        [
            ("b-score-zero", "0"),
            ("b-greeting", "Hello {{Name}}, welcome back"),
            ("b-copy", "{{Name}}"),
            ("b-quoted", "quoted text"),
            ("b-literal", "a + b"),  # marked as not code in Typebot
        ],
    )
    def test_plain_values_and_templates_become_values(
        self, quiz: TypebotImport, block_id: str, value: str
    ) -> None:
        assert block(quiz.flow, block_id)["value"] == value
        assert about(quiz, block_id) == []

    def test_the_empty_preset_clears_the_variable(self, quiz: TypebotImport) -> None:
        cleared = block(quiz.flow, "b-clear")
        assert (cleared["type"], cleared["clear"], "value" in cleared) == (
            "setVariable",
            True,
            False,
        )
        assert about(quiz, "b-clear") == []

    @pytest.mark.parametrize(
        ("expression", "value"),
        [
            ("let me know", "let me know"),
            ("Thanks {{answer}}. See you", "Thanks {{answer}}. See you"),
            ("see example.com (our site)", "see example.com (our site)"),
            ("Hi; bye", "Hi; bye"),
            ("-1", "-1"),
            ('"double quoted"', "double quoted"),
        ],
    )
    def test_text_that_only_resembles_javascript_stays_a_value(
        self, expression: str, value: str
    ) -> None:
        result = imported(_setting_answer(expression))

        assert block(result.flow, "b-set")["value"] == value
        assert about(result, "b-set") == []

    @pytest.mark.parametrize(
        "expression",
        ["new Date().toISOString()", "Math.round({{answer}})", "{{answer}}.trim()", "a && b"],
    )
    def test_javascript_is_recognised_and_left_out(self, expression: str) -> None:
        result = imported(_setting_answer(expression))

        assert not has_block(result.flow, "b-set")
        assert "JavaScript code, which segflow never runs" in about(result, "b-set")[0].message

    def test_javascript_arithmetic_becomes_a_segflow_expression(self, quiz: TypebotImport) -> None:
        assert block(quiz.flow, "b-plus") == {
            "id": "b-plus",
            "type": "setVariable",
            "variable": "Score",
            "expression": "(Score + 1) * 2",
        }
        assert "check that it gives what you expect" in about(quiz, "b-plus")[0].message

    def test_javascript_code_is_never_run_and_reported(self, quiz: TypebotImport) -> None:
        [finding] = about(quiz, "b-code")

        assert not has_block(quiz.flow, "b-code")
        assert finding.kind is FindingKind.UNSUPPORTED
        assert "JavaScript code, which segflow never runs, so Flag keeps its value" in (
            finding.message
        )

    def test_a_preset_segflow_has_no_value_for_is_skipped(self, quiz: TypebotImport) -> None:
        assert not has_block(quiz.flow, "b-now")
        assert '"Now" (the current date and time) has no segflow equivalent' in (
            about(quiz, "b-now")[0].message
        )


class TestCondition:
    def test_comparisons_operators_and_exits(self, quiz: TypebotImport) -> None:
        check = block(quiz.flow, "b-check")

        assert check["items"][0] == {
            "id": "c-high",
            "match": "all",
            "comparisons": [
                {"variable": "Score", "operator": "greaterOrEqual", "value": "10"},
                {"variable": "Name", "operator": "isSet"},
            ],
            "next": "g-high",
        }
        assert check["items"][1]["match"] == "any"
        assert check["next"] == "g-low"  # Else

    def test_incomplete_comparisons_never_passed_and_are_left_out(
        self, quiz: TypebotImport
    ) -> None:
        check = block(quiz.flow, "b-check")
        messages = [finding.message for finding in about(quiz, "b-check")]

        assert [item["id"] for item in check["items"]] == ["c-high", "c-ada"]
        assert len(check["items"][1]["comparisons"]) == 2  # OR: the complete ones stay
        assert any("condition 3 is incomplete and never passes" in m for m in messages)

    def test_a_javascript_regular_expression_is_written_for_python(self) -> None:
        comparison = {
            "id": "k",
            "variableId": "v-answer",
            "comparisonOperator": "Matches regex",
            "value": "/^yes/i",
        }
        document = bot(
            {
                "id": "g-a",
                "title": "A",
                "blocks": [
                    {
                        "id": "b-check",
                        "type": "Condition",
                        "items": [{"id": "c", "content": {"comparisons": [comparison]}}],
                    }
                ],
            }
        )

        check = block(imported(document).flow, "b-check")

        assert check["items"][0]["comparisons"][0]["value"] == "(?i)^yes"


class TestSegment:
    def test_identify_user_with_traits(self, lead: TypebotImport) -> None:
        assert block(lead.flow, "b-identify") == {
            "id": "b-identify",
            "type": "segment",
            "action": "Identify User",
            "email": "{{Email}}",
            "userId": "{{Email}}",
            "traits": [
                {"key": "first_name", "value": "{{First_name_2}}", "type": "text"},
                {"key": "plan", "value": "{{Plan}}", "type": "text"},
            ],
        }

    def test_alias(self, lead: TypebotImport) -> None:
        alias = block(lead.flow, "b-alias")

        assert (alias["action"], alias["previousId"], alias["userId"]) == (
            "Alias",
            "{{Visitor_ID}}",
            "{{Email}}",
        )

    def test_track_becomes_track_event(self, lead: TypebotImport) -> None:
        assert block(lead.flow, "b-track") == {
            "id": "b-track",
            "type": "segment",
            "action": "Track Event",
            "eventName": "Lead Captured",
            "properties": [{"key": "seats", "value": "{{Seats}}", "type": "text"}],
        }

    def test_page_becomes_page_view(self, lead: TypebotImport) -> None:
        page = block(lead.flow, "b-page")

        assert (page["action"], page["name"], page["category"]) == ("Page View", "Pricing", "Docs")
        assert page["properties"] == [{"key": "path", "value": "/pricing", "type": "text"}]

    @pytest.mark.parametrize("block_id", ["b-identify", "b-alias", "b-track", "b-page"])
    def test_each_segment_block_needs_a_segflow_account(
        self, lead: TypebotImport, block_id: str
    ) -> None:
        setup = [f for f in about(lead, block_id) if f.kind is FindingKind.SETUP]

        assert len(setup) == 1
        assert "needs a segflow Segment account" in setup[0].message
        assert "Write Key" in setup[0].message

    def test_an_event_without_name_must_be_named_before_it_sends(self, lead: TypebotImport) -> None:
        messages = [f.message for f in about(lead, "b-track-unnamed")]

        assert block(lead.flow, "b-track-unnamed")["eventName"] == ""
        assert "Track Event: Event Name is empty; segflow will not send it" in messages[0]

    def test_a_segment_block_without_action_is_skipped(self, lead: TypebotImport) -> None:
        assert not has_block(lead.flow, "b-no-action")
        assert about(lead, "b-no-action")[0].kind is FindingKind.UNSUPPORTED


class TestUnsupported:
    @pytest.mark.parametrize(
        ("block_id", "became", "said"),
        [
            ("b-video", "embed", "the youtube video became an Embed of its page"),
            ("b-file", "textInput", "instead of uploading a file"),
            ("b-cards", "textInput", "instead of pressing a card's button"),
        ],
    )
    def test_replaced_by_the_nearest_segflow_block(
        self, others: TypebotImport, block_id: str, became: str, said: str
    ) -> None:
        assert block(others.flow, block_id)["type"] == became
        assert any(
            f.kind is FindingKind.CHANGED and said in f.message for f in about(others, block_id)
        )

    @pytest.mark.parametrize(
        ("block_id", "said"),
        [
            ("b-pay", "segflow takes no payments"),
            (
                "b-code",
                "segflow never runs Script blocks (JavaScript code); it was skipped and "
                "the chat goes straight on",
            ),
            ("b-sheets", "no Google Sheets integration"),
            ("b-openai", "no OpenAI integration"),
            ("b-claude", 'segflow has no "anthropic" blocks'),
            ("b-mail", "segflow does not send emails"),
        ],
    )
    def test_skipped_and_listed_with_group_and_block(
        self, others: TypebotImport, block_id: str, said: str
    ) -> None:
        [finding] = about(others, block_id)

        assert not has_block(others.flow, block_id)
        assert finding.kind is FindingKind.UNSUPPORTED
        assert said in finding.message
        assert finding.group and finding.block_type
        assert str(finding).startswith(f'group "{finding.group}", block {block_id} (')

    def test_a_webhook_block_with_a_request_becomes_an_http_request(
        self, others: TypebotImport
    ) -> None:
        request = block(others.flow, "b-webhook")

        assert request["type"] == "httpRequest"
        assert (request["url"], request["method"]) == ("https://hooks.example.invalid/hook", "POST")

    def test_media_and_actions_become_their_segflow_blocks(self, others: TypebotImport) -> None:
        assert block(others.flow, "b-audio") == {
            "id": "b-audio",
            "type": "audio",
            "url": "https://example.com/hello.mp3",
        }
        assert block(others.flow, "b-embed")["height"] == 400
        assert block(others.flow, "b-redirect")["newTab"] is True
        assert block(others.flow, "b-wait")["seconds"] == 3
        assert block(others.flow, "b-ab")["aPercent"] == 30
        assert not any(about(others, b) for b in ("b-embed", "b-redirect", "b-ab"))
        [autoplay] = about(others, "b-audio")  # Typebot's default: it plays at once
        assert "waits for a click on play" in autoplay.message

    def test_an_embed_height_held_in_a_variable_is_named_in_the_report(self) -> None:
        content = {"url": "https://example.com/p", "height": "{{Height}}"}
        embed = {"id": "b-page", "type": "embed", "content": content}
        result = imported(bot({"id": "g-one", "title": "One", "blocks": [embed]}))

        assert "height" not in block(result.flow, "b-page")
        [finding] = about(result, "b-page")
        assert 'its height "{{Height}}" is not a number of pixels' in finding.message

    def test_a_video_without_url_is_skipped_as_typebot_showed_nothing(
        self, others: TypebotImport
    ) -> None:
        [finding] = about(others, "b-video-empty")

        assert not has_block(others.flow, "b-video-empty")
        assert finding.kind is FindingKind.CHANGED
        assert "the video has no URL" in finding.message

    def test_url_phone_and_date_inputs_become_segflows_own_and_keep_their_variable(
        self, others: TypebotImport
    ) -> None:
        url, phone, day = (block(others.flow, b) for b in ("b-url", "b-phone", "b-date"))

        assert (url["type"], url["variable"], url["placeholder"]) == (
            "urlInput",
            "Website",
            "https://",
        )
        assert (phone["type"], phone["variable"]) == ("phoneInput", "Phone")
        assert (day["type"], day["variable"], day["format"]) == ("dateInput", "Date", "dd/MM/yyyy")
        assert not any(about(others, b) for b in ("b-url", "b-phone", "b-date"))

    def test_ratings_become_segflows_rating_input_with_typebots_range(
        self, others: TypebotImport
    ) -> None:
        stars, nps = block(others.flow, "b-stars"), block(others.flow, "b-nps")

        assert stars == {
            "id": "b-stars",
            "type": "ratingInput",
            "variable": "Stars",
            "lowest": 1,
            "highest": 5,
            "icons": True,
            "retryMessage": "Invalid message. Please, try again.",  # Typebot's, for any input
        }
        assert (nps["type"], nps["lowest"], nps["highest"]) == ("ratingInput", 0, 10)
        for rating in ("b-stars", "b-nps"):
            [kept] = about(others, rating)  # the only difference: a number, not its text
            assert "segflow keeps the answer as a number" in kept.message

    def test_picture_choices_keep_their_values_and_exits(self, others: TypebotImport) -> None:
        items = block(others.flow, "b-pictures")["items"]

        assert items[0] == {
            "id": "p-red",
            "label": "Red",
            "picture": "https://example.com/red.png",
            "next": "end",
        }
        assert items[1] == {
            "id": "p-blue",
            "label": "blue",
            "picture": "https://example.com/blue.png",
        }
        assert not about(others, "b-pictures")

    def test_inline_javascript_in_text_is_removed_and_reported(self) -> None:
        document = bot(
            {
                "id": "g-a",
                "title": "A",
                "blocks": [text_block("b-a", "Hi {{={{answer}}.toUpperCase()=}}!")],
            }
        )

        result = imported(document)

        assert block(result.flow, "b-a")["text"] == "Hi !"
        assert "inline JavaScript" in about(result, "b-a")[0].message


def _setting_answer(expression: str) -> dict[str, Any]:
    set_variable = {
        "id": "b-set",
        "type": "Set variable",
        "options": {"variableId": "v-answer", "expressionToEvaluate": expression},
    }
    return bot({"id": "g-a", "title": "A", "blocks": [set_variable]})


def test_a_phone_inputs_default_country_is_kept() -> None:
    result = imported("booking-details.v6.1.json")

    assert block(result.flow, "b-site")["retryMessage"] == "{{Name}}, that is not a website."
    assert block(result.flow, "b-phone")["defaultCountry"] == "FR"
    assert about(result, "b-phone") == []
