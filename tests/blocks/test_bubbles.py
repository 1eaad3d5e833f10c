"""Text and image bubbles: what the person sees, as plain text and as safe HTML."""

from __future__ import annotations

from segflow.blocks import ImageMessage, TextMessage
from segflow.blocks.formatting import format_text
from tests.flow.helpers import chat, one_group, said


def test_bold_italic_links_and_line_breaks_render_as_text_and_html() -> None:
    message = format_text(
        "Hi **{{name}}**!\nSee *our* [pricing](https://example.com/p)", {"name": "Ada"}
    )

    assert message.text == "Hi Ada!\nSee our pricing (https://example.com/p)"
    assert message.html == (
        "Hi <strong>Ada</strong>!<br>See <em>our</em> "
        '<a href="https://example.com/p" target="_blank" rel="noopener noreferrer">pricing</a>'
    )


def test_what_a_person_typed_is_shown_as_it_is_and_never_becomes_markup() -> None:
    name = "<img src=x onerror=alert(1)> **bold** [win](https://phish.example)"

    message = format_text("Hello {{name}}", {"name": name})

    assert message.text == f"Hello {name}"
    assert (
        "<img" not in message.html and "<a " not in message.html and "<strong>" not in message.html
    )
    assert message.html.startswith("Hello &lt;img src=x onerror=alert(1)&gt; **bold**")


def test_a_link_to_anything_but_a_web_mail_or_phone_address_stays_plain_text() -> None:
    message = format_text("[click](javascript:steal) [mail](mailto:a@b.c)", {})

    assert (
        message.html
        == 'click <a href="mailto:a@b.c" target="_blank" rel="noopener noreferrer">mail</a>'
    )


def test_unpaired_markers_are_kept_as_written() -> None:
    assert format_text("2 * 3 = 6, **not closed", {}).text == "2 * 3 = 6, **not closed"


def test_a_text_bubble_fills_in_variables_and_unset_ones_are_empty() -> None:
    flow = one_group(
        {"id": "hi", "type": "text", "text": "Hi {{name}}{{title}}!"}, variables=["name", "title"]
    )

    (turn,) = chat(flow, prefilled={"name": "Ada"})

    assert said(turn) == ["Hi Ada!"]
    assert turn.ended


def test_an_image_bubble_shows_its_picture_and_skips_a_url_that_is_not_a_web_address() -> None:
    flow = one_group(
        {"id": "logo", "type": "image", "url": "https://cdn.example/{{file}}", "alt": "Our logo"},
        {"id": "broken", "type": "image", "url": "{{missing}}"},
        variables=["file", "missing"],
    )

    (turn,) = chat(flow, prefilled={"file": "logo.png"})

    assert turn.messages == [ImageMessage(url="https://cdn.example/logo.png", alt="Our logo")]
    assert [str(log) for log in turn.logs] == [
        'Group "Main" › block "broken": '
        "Image URL is empty, not a web address: the image is left out"
    ]
    assert not any(isinstance(message, TextMessage) for message in turn.messages)
