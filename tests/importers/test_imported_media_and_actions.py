"""A Typebot bot with video, audio, embed, Wait, Redirect, A/B test and Script blocks, imported
and chatted through: media and actions as segflow messages, both paths of the split taken,
the Script skipped and named in the import report."""

from __future__ import annotations

import random

from segflow.blocks import (
    AudioMessage,
    EmbedMessage,
    RedirectMessage,
    TextMessage,
    VideoMessage,
    WaitMessage,
)
from segflow.flow import Flow, Turn, continue_session, parse_flow, start_session
from segflow.importers import FindingKind
from tests.importers.helpers import about, imported

EXPORT = "course-welcome.v6.json"


def flow() -> Flow:
    return parse_flow(imported(EXPORT).flow)


def answered(seed: int) -> Turn:
    """The turn after the person gives their name, with the split drawn from `seed`."""
    course = flow()
    first = start_session(course, rng=random.Random(seed))
    return continue_session(course, first.state, "Ada", rng=random.Random(seed))


def test_the_welcome_plays_video_pauses_plays_audio_and_skips_the_script() -> None:
    turn = start_session(flow())

    assert turn.messages[1:4] == [
        VideoMessage(url="https://media.example.org/wheel-beginner.mp4"),
        WaitMessage(seconds=2),
        AudioMessage(url="https://media.example.org/jingle.ogg"),
    ]
    texts = [m.text for m in turn.messages if isinstance(m, TextMessage)]
    assert texts == ["Welcome to the pottery course.", "What should we call you?"]
    assert turn.input is not None and turn.input.block_id == "b-name"


def test_the_script_block_is_reported_as_skipped_where_it_was() -> None:
    result = imported(EXPORT)

    [finding] = about(result, "b-confetti")
    assert finding.kind is FindingKind.UNSUPPORTED
    assert finding.group == "Welcome"
    assert "segflow never runs Script blocks" in finding.message
    assert "it was skipped and the chat goes straight on" in finding.message
    # Besides Typebot playing its video and sound at once, nothing else needed a word.
    others = [f for f in result.report if "waits for a click on play" not in f.message]
    assert [f.block_id for f in others] == ["b-confetti"]


def test_the_split_sends_some_chats_to_the_survey_and_others_to_the_shop() -> None:
    endings = {}
    for seed in range(40):
        turn = answered(seed)
        endings[type(turn.messages[-1])] = turn.messages
        assert turn.ended

    intro, survey = endings[EmbedMessage]
    assert isinstance(intro, TextMessage) and intro.text == "A quick survey before we start:"
    assert survey == EmbedMessage(url="https://forms.example.org/kiln?who=Ada", height=480)
    assert endings[RedirectMessage][-1] == RedirectMessage(
        url="https://shop.example.org/clay?who=Ada", new_tab=True
    )
    assert set(endings) == {EmbedMessage, RedirectMessage}
