"""Video, audio and embed bubbles, Wait, Redirect and A/B test, run by the engine."""

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
from segflow.flow import Flow, parse_flow, start_session
from segflow.limits import Limits
from tests.flow.helpers import chat, one_group


def test_media_bubbles_are_said_with_their_variables_filled_in() -> None:
    flow = one_group(
        {"id": "v", "type": "video", "url": "https://cdn.example.com/{{clip}}.mp4"},
        {"id": "a", "type": "audio", "url": "https://cdn.example.com/hello.mp3"},
        {"id": "e", "type": "embed", "url": "https://example.com/form", "height": 400},
        variables=["clip"],
    )

    [turn] = chat(flow, prefilled={"clip": "intro"})

    assert turn.messages == [
        VideoMessage(url="https://cdn.example.com/intro.mp4"),
        AudioMessage(url="https://cdn.example.com/hello.mp3"),
        EmbedMessage(url="https://example.com/form", height=400),
    ]


def test_a_media_address_that_is_no_web_address_is_left_out_with_a_warning() -> None:
    flow = one_group(
        {"id": "v", "type": "video", "url": "javascript:alert(1)"},
        {"id": "t", "type": "text", "text": "Still here"},
    )

    [turn] = chat(flow)

    assert [type(m) for m in turn.messages] == [TextMessage]
    [log] = turn.logs
    assert log.status == "warning" and log.block == "v"
    assert 'The video URL is "javascript:alert(1)", not a web address' in log.description


def test_a_wait_asks_the_chat_window_to_pause_no_longer_than_the_setting() -> None:
    flow = one_group(
        {"id": "short", "type": "wait", "seconds": 1.5},
        {"id": "long", "type": "wait", "seconds": 600},
    )

    [turn] = chat(flow, limits=Limits(max_wait_seconds=30))

    assert turn.messages == [WaitMessage(seconds=1.5), WaitMessage(seconds=30)]
    [log] = turn.logs
    assert log.block == "long" and "max_wait_seconds" in log.description


def test_a_redirect_sends_the_visitor_to_the_filled_in_page() -> None:
    flow = one_group(
        {
            "id": "r",
            "type": "redirect",
            "url": "https://example.com/t?name={{name}}",
            "newTab": True,
        },
        variables=["name"],
    )

    [turn] = chat(flow, prefilled={"name": "Ada"})

    assert turn.messages == [RedirectMessage(url="https://example.com/t?name=Ada", new_tab=True)]


def ab_flow(percent: float) -> Flow:
    return parse_flow(
        {
            "name": "Split",
            "groups": [
                {
                    "id": "start",
                    "title": "Start",
                    "blocks": [
                        {"id": "ab", "type": "abTest", "aPercent": percent, "a": "A", "b": "B"}
                    ],
                },
                {"id": "A", "title": "A", "blocks": [{"id": "ta", "type": "text", "text": "A"}]},
                {"id": "B", "title": "B", "blocks": [{"id": "tb", "type": "text", "text": "B"}]},
            ],
        }
    )


def path(flow: Flow, seed: int) -> str:
    [message] = start_session(flow, rng=random.Random(seed)).messages
    assert isinstance(message, TextMessage)
    return message.text


def test_an_ab_test_sends_its_share_of_chats_down_path_a() -> None:
    flow = ab_flow(30)

    paths = [path(flow, seed) for seed in range(1000)]

    assert 200 < paths.count("A") < 400  # 30% of 1,000, give or take
    assert paths.count("A") + paths.count("B") == 1000


def test_an_ab_test_takes_the_same_path_for_the_same_random_source() -> None:
    flow = ab_flow(50)

    assert [path(flow, seed) for seed in range(20)] == [path(flow, seed) for seed in range(20)]


def test_an_ab_test_of_0_or_100_percent_always_takes_one_path() -> None:
    assert {path(ab_flow(100), seed) for seed in range(50)} == {"A"}
    assert {path(ab_flow(0), seed) for seed in range(50)} == {"B"}


def test_a_path_without_exit_goes_on_with_the_next_block() -> None:
    flow = one_group(
        {"id": "ab", "type": "abTest", "aPercent": 100},
        {"id": "t", "type": "text", "text": "Next"},
    )

    [turn] = chat(flow)

    assert [m.text for m in turn.messages if isinstance(m, TextMessage)] == ["Next"]
