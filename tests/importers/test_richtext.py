from typing import Any

from segflow.blocks.formatting import format_text
from segflow.importers.richtext import html_to_text, slate_to_text


def paragraph(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": "p", "children": list(children)}


def test_bold_italic_and_links_show_as_the_bot_wrote_them() -> None:
    rich = slate_to_text(
        [
            paragraph({"text": "Hi, I'm "}, {"text": "Ada", "bold": True}, {"text": "."}),
            paragraph(
                {"text": "Read "},
                {"type": "a", "url": "https://example.com/faq", "children": [{"text": "the FAQ"}]},
                {"text": " "},
                {"text": "first", "italic": True},
            ),
        ]
    )

    assert rich.text == "Hi, I'm **Ada**.\nRead [the FAQ](https://example.com/faq) *first*"
    shown = format_text(rich.text, {}).html
    assert "<strong>Ada</strong>" in shown
    assert '<a href="https://example.com/faq"' in shown
    assert "<em>first</em>" in shown
    assert rich.dropped_formatting == frozenset()


def test_each_paragraph_is_a_line_and_an_empty_one_a_blank_line() -> None:
    rich = slate_to_text(
        [paragraph({"text": "Our values:"}), paragraph({"text": ""}), paragraph({"text": "Speed"})]
    )

    assert rich.text == "Our values:\n\nSpeed"


def test_spaces_stay_outside_the_markers_so_the_formatting_still_reads() -> None:
    rich = slate_to_text([paragraph({"text": "very ", "bold": True}, {"text": "good"})])

    assert rich.text == "**very** good"
    assert format_text(rich.text, {}).html == "<strong>very</strong> good"


def test_neighbouring_pieces_with_the_same_formatting_share_their_markers() -> None:
    rich = slate_to_text(
        [paragraph({"text": "Hello ", "bold": True}, {"text": "{{name}}", "bold": True})]
    )

    assert rich.text == "**Hello {{name}}**"


def test_formatting_segflow_cannot_show_is_named() -> None:
    rich = slate_to_text(
        [
            paragraph(
                {"text": "terms", "underline": True},
                {"text": " both", "bold": True, "italic": True},
            )
        ]
    )

    assert rich.text == "terms **both**"
    assert rich.dropped_formatting == {"underline", "bold italic (shown bold)"}


def test_lists_and_variables_inside_the_text() -> None:
    rich = slate_to_text(
        [
            {
                "type": "ul",
                "children": [
                    {"type": "li", "children": [{"type": "lic", "children": [{"text": "one"}]}]},
                    {"type": "li", "children": [{"type": "lic", "children": [{"text": "two"}]}]},
                ],
            },
            paragraph(
                {"text": "Hi "},
                {"type": "inline-variable", "children": [paragraph({"text": "{{Name}}"})]},
                {"text": "!"},
            ),
        ]
    )

    assert rich.text == "- one\n- two\nHi {{Name}}!"


def test_html_of_older_exports() -> None:
    rich = html_to_text(
        '<div>Hello <strong>{{Name}}</strong>!</div><div>See <a href="https://example.com">our '
        "site</a><br><em>soon</em> &amp; <u>later</u></div>"
    )

    assert rich.text == "Hello **{{Name}}**!\nSee [our site](https://example.com)\n*soon* & later"
    assert rich.dropped_formatting == {"underline"}
