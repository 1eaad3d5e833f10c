"""Imported bots chat as they did in Typebot, and send the Segment calls their blocks made."""

from typing import Any

from segflow.blocks import TextMessage, default_registry
from segflow.flow import Flow, FlowReading, Turn, continue_session, start_session
from tests.importers.helpers import SAMPLES, imported, needs_samples


def flow_of(document: str) -> Flow:
    """The imported flow as chats run it, with what the import report says to fix still left as
    it is (the lead capture's unnamed Track Event), to show what it does."""
    return Flow.model_validate(imported(document).flow, context=FlowReading(default_registry()))


def said(turn: Turn) -> list[str]:
    return [m.text if isinstance(m, TextMessage) else m.type for m in turn.messages]


def chat(flow: Flow, *answers: str) -> Turn:
    turn = start_session(flow, anonymous_id="visitor-1")
    for answer in answers:
        turn = continue_session(flow, turn.state, answer)
    return turn


def test_lead_capture_asks_again_for_a_wrong_email() -> None:
    flow = flow_of("lead-capture.v6.1.json")

    first = start_session(flow)
    assert said(first) == [
        "Hi! I'm Ada.\n\nGlad you came. "
        "See our pricing (https://example.com/pricing) (terms apply)",
        "image",
    ]
    assert first.input is not None and first.input.type == "textInput"
    email = continue_session(flow, first.state, "Ada")
    assert said(email) == ["Nice to meet you Ada! Your email?"]
    assert said(continue_session(flow, email.state, "nope")) == ["Hmm Ada, that is not an email."]


def test_lead_capture_sends_what_its_segment_blocks_sent() -> None:
    turn = chat(flow_of("lead-capture.v6.1.json"), "Ada", "ada@example.com", "3", "Free")

    bodies: list[dict[str, Any]] = [queued.message.body() for queued in turn.segment]
    assert [body["type"] for body in bodies] == ["identify", "alias", "track", "page"]
    identify, alias, track, page = bodies
    assert identify["userId"] == "ada@example.com"
    assert identify["traits"] == {"email": "ada@example.com", "first_name": "Ada", "plan": "free"}
    assert (alias["userId"], alias["previousId"]) == ("ada@example.com", "visitor-1")
    assert (track["event"], track["properties"]) == ("Lead Captured", {"seats": "3"})
    assert (page["name"], page["category"]) == ("Pricing", "Docs")
    assert [log.block for log in turn.logs] == ["b-track-unnamed"]  # Event Name is empty
    assert turn.ended


def test_quiz_computes_with_the_translated_expression() -> None:
    turn = chat(flow_of("quiz-logic.v6.json"))

    assert said(turn) == ["Hi Ada"]  # Name is Ada: the second condition passes
    assert turn.state.variables["Score"] == 2  # ({{Score}} + 1) * 2 from 0
    assert turn.state.variables["Greeting"] == "Hello Ada, welcome back"
    assert turn.ended


def test_a_choice_leading_to_skipped_blocks_ends_the_chat_as_typebot_did() -> None:
    flow = flow_of("unsupported.v6.1.json")

    answers = ("https://example.com", "2026-12-01", "+33 1 23 45 67 89", "cv.pdf", "9", "4")
    turn = chat(flow, *answers)
    assert turn.input is not None and turn.input.block_id == "b-pictures"

    end = continue_session(flow, turn.state, "Red")
    assert end.ended
    assert end.state.variables["Color"] == "Red"
    assert end.state.variables["NPS"] == 9


@needs_samples
def test_the_lead_generation_sample_chats_to_the_end() -> None:
    turn = chat(
        flow_of(str(SAMPLES / "lead-gen.v6.1.json")),
        "Hi!",
        "Ada",
        "ada@example.com",
        "Social Media",
        "A new website",
    )

    assert said(turn) == ["Perfect!", "We'll get back to you at ada@example.com"]
    assert turn.state.variables["Additional_information"] == "A new website"
    assert turn.ended


def test_url_phone_and_date_inputs_check_answers_as_typebot_did() -> None:
    flow = flow_of("booking-details.v6.1.json")
    first = start_session(flow, prefilled={"Name": "Ada"})
    assert said(first) == ["Your company's website?"]
    assert first.input is not None and first.input.type == "urlInput"

    wrong_site = continue_session(flow, first.state, "our site")
    assert said(wrong_site) == ["Ada, that is not a website."]
    phone = continue_session(flow, wrong_site.state, "example.com")
    assert phone.input is not None and phone.input.type == "phoneInput"
    wrong_phone = continue_session(flow, phone.state, "soon")
    assert said(wrong_phone) == ["Please type a phone number."]
    day = continue_session(flow, wrong_phone.state, "+33 6 12 34 56 78")
    assert day.input is not None and day.input.type == "dateInput"
    assert day.input.options["buttonLabel"] == "Book"
    too_late = continue_session(flow, day.state, "2027-02-01")
    assert said(too_late) == ["Invalid message. Please, try again."]  # Typebot's own words
    end = continue_session(flow, too_late.state, "2026-06-15")

    assert said(end) == ["Booked 2026-06-15 for https://example.com; we call +33612345678."]
    assert end.ended
