"""The import report names every option segflow reads from a Typebot export but runs
differently, with the group and block where it is, in a sentence that says what happens instead."""

from __future__ import annotations

from typing import Any

import pytest

from segflow.importers import FindingKind, TypebotImport
from tests.importers.helpers import about, bot, imported


def video(block_id: str, **content: Any) -> dict[str, Any]:
    return {
        "id": block_id,
        "type": "video",
        "content": {"url": "https://example.com/a.mp4"} | content,
    }


def choice(block_id: str, **options: Any) -> dict[str, Any]:
    items = [{"id": f"{block_id}-1", "content": "One"}, {"id": f"{block_id}-2", "content": "Two"}]
    return {"id": block_id, "type": "choice input", "options": options, "items": items}


BLOCKS: list[dict[str, Any]] = [
    video("b-autoplay"),
    video("b-quiet", isAutoplayEnabled=False, areControlsDisplayed=False),
    video("b-tall", isAutoplayEnabled=False, aspectRatio="9/16", maxWidth="300px"),
    {
        "id": "b-youtube",
        "type": "video",
        "content": {
            "url": "https://www.youtube.com/watch?v=abc",
            "type": "youtube",
            "isAutoplayEnabled": False,
            "queryParamsStr": "start=30",
        },
    },
    {"id": "b-sound", "type": "audio", "content": {"url": "https://example.com/a.mp3"}},
    {
        "id": "b-hearts",
        "type": "rating input",
        "options": {
            "variableId": "v-answer",
            "buttonType": "Icons",
            "length": 5,
            "customIcon": {"isEnabled": True, "svg": "<svg></svg>"},
        },
    },
    choice("b-search", variableId="v-answer", isSearchable=True),
    choice("b-several", variableId="v-answer", isMultipleChoice=True, buttonLabel="Done"),
    choice("b-listed", variableId="v-answer", dynamicVariableId="v-list"),
    {
        "id": "b-gallery",
        "type": "picture choice input",
        "options": {
            "variableId": "v-answer",
            "dynamicItems": {"isEnabled": True, "pictureSrcsVariableId": "v-list"},
        },
        "items": [{"id": "p-1", "pictureSrc": "https://example.com/1.png", "title": "One"}],
    },
    {
        "id": "b-digits",
        "type": "text input",
        "options": {"variableId": "v-answer", "inputMode": "numeric"},
    },
    {
        "id": "b-price",
        "type": "number input",
        "options": {"variableId": "v-answer", "style": "currency", "currency": "EUR"},
    },
    {
        "id": "b-day",
        "type": "date input",
        "options": {"variableId": "v-answer", "format": "EEEE d MMMM yyyy"},
    },
    {
        "id": "b-phone",
        "type": "phone number input",
        "options": {"variableId": "v-answer", "defaultCountryCode": "XX"},
    },
]
# Each block, and what one of its report lines says.
SAID = [
    (
        "b-autoplay",
        "Typebot played the video as soon as it showed; segflow's chat window waits "
        "for a click on play",
    ),
    ("b-quiet", "Typebot hid the video's controls; segflow's chat window shows them"),
    ("b-tall", "its size (aspect ratio 9/16, width 300px) was left out"),
    ("b-sound", "Typebot played the audio as soon as it showed"),
    ("b-hearts", "Typebot drew the rating with its own icon; segflow draws stars"),
    ("b-search", "Typebot showed a search box to filter the choices; segflow shows all of them"),
    ("b-listed", "Typebot took the choices from the list in list; segflow shows the fixed ones"),
    ("b-gallery", "Typebot took the pictures from the lists in list; segflow shows the fixed ones"),
    ("b-price", "Typebot showed the number as currency (EUR); segflow shows it as it is typed"),
    ("b-hearts", "segflow keeps the answer as a number (7) where Typebot kept its text"),
    ("b-price", "segflow keeps the answer as a number (7) where Typebot kept its text"),
    ("b-youtube", 'its player settings "start=30" were left out'),
    ("b-several", 'the button that sends several choices says "Send" in segflow, not "Done"'),
    ("b-digits", 'Typebot asked phones for their "numeric" keyboard; segflow shows the usual one'),
    ("b-day", 'its format "EEEE d MMMM yyyy" has EEEE, d, MMMM, which segflow does not fill in'),
    ("b-phone", 'its default country "XX" is not a country code segflow knows'),
]


@pytest.fixture(scope="module")
def result() -> TypebotImport:
    document = bot({"id": "g-options", "title": "Options", "blocks": BLOCKS})
    document["variables"].append({"id": "v-list", "name": "list"})
    return imported(document)


@pytest.mark.parametrize(("block_id", "said"), SAID)
def test_the_report_names_each_option_that_runs_differently(
    result: TypebotImport, block_id: str, said: str
) -> None:
    findings = about(result, block_id)

    assert any(said in finding.message for finding in findings), findings
    for finding in findings:
        assert finding.kind is FindingKind.CHANGED
        assert str(finding).startswith(f'group "Options", block {block_id} (')


def test_options_segflow_runs_as_typebot_does_need_no_word() -> None:
    quiet_video = video("b-video", isAutoplayEnabled=False)
    phone = {
        "id": "b-call",
        "type": "phone number input",
        "options": {"variableId": "v-answer", "defaultCountryCode": "FR"},
    }
    day = {"id": "b-when", "type": "date input", "options": {"variableId": "v-answer"}}
    document = bot({"id": "g-a", "title": "A", "blocks": [quiet_video, phone, day]})

    assert imported(document).report == []
