"""Link to flow: a group of this flow or another flow runs, and the chat comes back after the
link when that path ends (the engine, with the published flows given as `FlowLinks`)."""

from __future__ import annotations

from dataclasses import dataclass

from segflow.errors import SegflowError
from segflow.flow import ChatStatus, Flow, Turn, continue_session, start_session
from segflow.flow.links import PublishedVersion
from segflow.limits import DEFAULT_LIMITS, Limits
from tests.flow.helpers import chat, flow_from_yaml, said


@dataclass(frozen=True)
class Version:
    id: int
    flow_id: str
    flow: Flow


class Shelf:
    """Published flows by ID, as the chat service keeps them: each publish is a new version."""

    def __init__(self, home: str, **flows: Flow) -> None:
        self.versions: list[Version] = []
        for flow_id, flow in flows.items():
            self.publish(flow_id, flow)
        self.home: PublishedVersion = self.latest(home)

    def publish(self, flow_id: str, flow: Flow) -> None:
        self.versions.append(Version(len(self.versions) + 1, flow_id, flow))

    def latest(self, flow: str) -> PublishedVersion:
        for version in reversed(self.versions):
            if flow in (version.flow_id, *version.flow.aliases):
                return version
        raise SegflowError(f'Flow "{flow}" does not exist')

    def version(self, version_id: int) -> PublishedVersion:
        return self.versions[version_id - 1]


def linked_chat(shelf: Shelf, *answers: str) -> list[Turn]:
    turns = [start_session(shelf.home.flow, links=shelf)]
    for answer in answers:
        turns.append(continue_session(shelf.home.flow, turns[-1].state, answer, links=shelf))
    return turns


CALLS = """
    name: Calls
    groups:
      - id: main
        blocks:
          - {id: hello, type: text, text: Hello}
          - {id: call, type: link, group: offer}
          - {id: bye, type: text, text: Bye}
      - id: offer
        blocks:
          - {id: offer-text, type: text, text: Our offer}
          - {id: more, type: link, group: details}
          - {id: offer-end, type: text, text: End of offer}
      - id: details
        blocks:
          - {id: details-text, type: text, text: Details}
"""


def test_a_link_to_a_group_of_the_flow_comes_back_after_the_link_when_that_path_ends() -> None:
    [turn] = chat(flow_from_yaml(CALLS))
    assert said(turn) == ["Hello", "Our offer", "Details", "End of offer", "Bye"]
    assert turn.state.status is ChatStatus.COMPLETED
    assert turn.state.links == []


def test_a_link_with_an_exit_comes_back_to_its_exit() -> None:
    flow = flow_from_yaml(
        """
        name: Exit
        groups:
          - id: main
            blocks:
              - {id: call, type: link, group: offer, next: after}
              - {id: skipped, type: text, text: Never said}
          - id: offer
            blocks: [{id: offer-text, type: text, text: Our offer}]
          - id: after
            blocks: [{id: after-text, type: text, text: After}]
        """
    )
    [turn] = chat(flow)
    assert said(turn) == ["Our offer", "After"]


def test_an_input_inside_a_linked_group_waits_and_the_chat_comes_back_after_its_answer() -> None:
    flow = flow_from_yaml(
        """
        name: Ask
        variables: [{name: name}]
        groups:
          - id: main
            blocks:
              - {id: call, type: link, group: ask}
              - {id: bye, type: text, text: "Bye {{name}}"}
          - id: ask
            blocks:
              - {id: q, type: textInput, variable: name}
              - {id: thanks, type: text, text: Thanks}
        """
    )
    first, second = chat(flow, "Ada")
    assert first.input is not None and first.input.block_id == "q"
    assert len(first.state.links) == 1
    assert said(second) == ["Thanks", "Bye Ada"]


def test_a_return_inside_a_linked_group_comes_back_after_the_link() -> None:
    flow = flow_from_yaml(
        """
        name: Return
        groups:
          - id: main
            blocks:
              - {id: jump, type: jump, group: menu}
          - id: menu
            blocks:
              - {id: call, type: link, group: help}
              - {id: back, type: text, text: Back in the menu}
          - id: help
            blocks:
              - {id: help-text, type: text, text: Help}
              - {id: ret, type: return}
              - {id: never, type: text, text: Never said}
        """
    )
    [turn] = chat(flow)
    assert said(turn) == ["Help", "Back in the menu"]


def test_links_that_keep_linking_stop_the_chat_at_the_depth_limit() -> None:
    flow = flow_from_yaml(
        """
        name: Deep
        groups:
          - id: main
            blocks:
              - {id: say, type: text, text: Again}
              - {id: call, type: link, group: main}
              - {id: after, type: text, text: Never said}
        """
    )
    [turn] = chat(flow)
    assert turn.state.status is ChatStatus.STOPPED
    assert said(turn) == ["Again"] * (DEFAULT_LIMITS.max_link_depth + 1)
    assert "SEGFLOW_MAX_LINK_DEPTH" in turn.logs[-1].description
    assert turn.logs[-1].block == "call"


def test_a_menu_that_links_back_to_itself_at_its_end_loops_without_limit() -> None:
    flow = flow_from_yaml(
        """
        name: Menu
        variables: [{name: pick}]
        groups:
          - id: menu
            blocks:
              - id: ask
                type: choiceInput
                variable: pick
                items: [{id: again, label: Again, next: again}, {id: stop, label: Stop}]
              - {id: bye, type: text, text: Bye}
          - id: again
            blocks:
              - {id: again-text, type: text, text: Once more}
              - {id: to-menu, type: link, group: menu}
        """
    )
    turns = chat(flow, *["Again"] * 25, "Stop")
    assert [said(turn) for turn in turns[1:]] == [["Once more"]] * 25 + [["Bye"]]
    assert turns[-1].state.status is ChatStatus.COMPLETED
    assert not any(turn.logs for turn in turns)


def test_a_link_with_nothing_after_it_comes_back_where_the_link_before_it_does() -> None:
    flow = flow_from_yaml(
        """
        name: Nested
        groups:
          - id: main
            blocks:
              - {id: to-a, type: link, group: a}
              - {id: back, type: text, text: Back in main}
          - id: a
            blocks:
              - {id: in-a, type: text, text: In A}
              - {id: to-b, type: link, group: b}
          - id: b
            blocks: [{id: in-b, type: text, text: In B}]
        """
    )
    [turn] = chat(flow)
    assert said(turn) == ["In A", "In B", "Back in main"]


SHOP = """
    name: Shop
    variables: [{name: name}, {name: size}, {name: note, value: kept}]
    groups:
      - id: main
        blocks:
          - {id: ask-name, type: textInput, variable: name}
          - {id: to-sizes, type: link, flow: sizes, group: pick}
          - {id: bye, type: text, text: "{{name}} takes {{size}} ({{note}})"}
"""

SIZES = """
    name: Sizes
    variables: [{name: name}, {name: size}, {name: note, value: sizes own}]
    groups:
      - id: start
        blocks: [{id: nope, type: text, text: Not the linked group}]
      - id: pick
        blocks:
          - {id: hi, type: text, text: "Which size, {{name}}?"}
          - {id: ask-size, type: textInput, variable: size}
          - {id: got, type: text, text: "Size {{size}} ({{note}})"}
"""


def test_a_link_to_another_flow_fills_its_variables_by_name_and_shares_them_back() -> None:
    shelf = Shelf("shop", shop=flow_from_yaml(SHOP), sizes=flow_from_yaml(SIZES))
    _, linked, back = linked_chat(shelf, "Ada", "M")
    assert said(linked) == ["Which size, Ada?"]
    assert linked.state.flow_version == 2
    assert linked.input is not None and linked.input.block_id == "ask-size"
    # Sizes' own "note" does not take the caller's empty value: both had one of their own.
    assert said(back) == ["Size M (kept)", "Ada takes M (kept)"]
    assert back.state.status is ChatStatus.COMPLETED


def test_without_sharing_back_the_linked_flows_values_stay_there() -> None:
    shop = flow_from_yaml(SHOP.replace("group: pick}", "group: pick, shareVariables: false}"))
    shelf = Shelf("shop", shop=shop, sizes=flow_from_yaml(SIZES))
    *_, back = linked_chat(shelf, "Ada", "M")
    assert said(back)[-1] == "Ada takes  (kept)"


def test_a_chat_inside_a_linked_flow_stays_on_the_version_it_entered() -> None:
    shelf = Shelf("shop", shop=flow_from_yaml(SHOP), sizes=flow_from_yaml(SIZES))
    _, linked = linked_chat(shelf, "Ada")
    shelf.publish("sizes", flow_from_yaml(SIZES.replace("Size {{size}}", "Changed {{size}}")))
    back = continue_session(shelf.home.flow, linked.state, "L", links=shelf)
    assert said(back) == ["Size L (kept)", "Ada takes L (kept)"]
    again = linked_chat(shelf, "Bob", "S")
    assert said(again[-1])[0] == "Changed S (kept)"


def test_a_link_to_a_flow_that_is_not_published_is_logged_and_the_chat_goes_on() -> None:
    shelf = Shelf("shop", shop=flow_from_yaml(SHOP))
    _, turn = linked_chat(shelf, "Ada")
    assert said(turn) == ["Ada takes  (kept)"]
    [log] = turn.logs
    assert log.status == "warning"
    assert str(log) == (
        'Group "main" › block "to-sizes": Flow "sizes" does not exist; the chat goes on past '
        "the link"
    )


def test_logs_inside_a_linked_flow_name_that_flow() -> None:
    sizes = SIZES.replace(
        '- {id: hi, type: text, text: "Which size, {{name}}?"}',
        "- {id: hi, type: link, flow: shop, group: nowhere}",
    )
    shelf = Shelf("shop", shop=flow_from_yaml(SHOP), sizes=flow_from_yaml(sizes))
    _, turn = linked_chat(shelf, "Ada")
    assert [str(log) for log in turn.logs] == [
        'Flow "Sizes" › Group "pick" › block "hi": The link goes to group "nowhere", which is '
        'not in flow "Shop"; the chat goes on past the link'
    ]


def test_the_variables_kept_for_coming_back_count_towards_the_chats_size() -> None:
    shelf = Shelf("shop", shop=flow_from_yaml(SHOP), sizes=flow_from_yaml(SIZES))
    limits = Limits.model_construct(**{**DEFAULT_LIMITS.model_dump(), "max_session_bytes": 1_000})
    first = start_session(shelf.home.flow, links=shelf, limits=limits)
    turn = continue_session(shelf.home.flow, first.state, "a" * 600, links=shelf, limits=limits)

    assert turn.state.status is ChatStatus.STOPPED
    assert turn.logs[-1].description.startswith(
        'The chat stopped: Link to flow "Sizes" would make the chat\'s variables'
    )
    assert turn.logs[-1].description.endswith(
        "bytes in all (with those kept for coming back from links); the limit is 1,000 "
        "(SEGFLOW_MAX_SESSION_BYTES)"
    )
