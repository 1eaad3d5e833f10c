"""Basic formatting in bot text: **bold**, *italic*, [label](url) and newlines.

The formatting is read from the text as the chatbot builder wrote it, before `{{variables}}`
are filled in, so what a person typed (their name, say) is always shown as plain text: it can
neither add a link nor any HTML.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from segflow.blocks.context import Span, TextMessage
from segflow.segment import fill

_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]+)\)")
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_CACHED_TEMPLATES = 4096  # bot texts kept read, of all the flows a process serves


@dataclass(frozen=True, slots=True)
class _Text:
    template: str


@dataclass(frozen=True, slots=True)
class _Styled:
    tag: str  # "strong" or "em"
    children: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Link:
    children: tuple[_Node, ...]
    url: str


_Node = _Text | _Styled | _Link


def format_text(template: str, variables: Mapping[str, object]) -> TextMessage:
    """The bot message for `template`: plain text, HTML and styled runs, with variables
    filled in."""
    if "{{" not in template:  # the same message every time: made once
        return _fixed_text(template)
    return _formatted(_parse(template), variables)


@functools.lru_cache(maxsize=_CACHED_TEMPLATES)
def _fixed_text(template: str) -> TextMessage:
    return _formatted(_parse(template), {})


def _formatted(nodes: tuple[_Node, ...], variables: Mapping[str, object]) -> TextMessage:
    return TextMessage(
        text="".join(_plain(node, variables) for node in nodes),
        html="".join(_html(node, variables) for node in nodes),
        spans=tuple(span for node in nodes for span in _spans(node, variables, Span(""))),
    )


def is_safe_link(url: str) -> bool:
    """Whether a link may point there: web, mail and phone addresses only."""
    return urlsplit(url.strip()).scheme.lower() in LINK_SCHEMES


def is_web_address(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in ("http", "https")


# Templates come from published flows, which never change: each is read once per process.
@functools.lru_cache(maxsize=_CACHED_TEMPLATES)
def _parse(text: str) -> tuple[_Node, ...]:
    nodes: list[_Node] = []
    plain: list[str] = []

    def push(node: _Node) -> None:
        if plain:
            nodes.append(_Text("".join(plain)))
            plain.clear()
        nodes.append(node)

    index = 0
    while index < len(text):
        if text.startswith("**", index):
            end = text.find("**", index + 2)
            if end > index + 2:
                push(_Styled("strong", _parse(text[index + 2 : end])))
                index = end + 2
                continue
        elif text[index] == "*" and index + 1 < len(text) and not text[index + 1].isspace():
            end = text.find("*", index + 1)
            if end > index + 1:
                push(_Styled("em", _parse(text[index + 1 : end])))
                index = end + 1
                continue
        elif text[index] == "[" and (link := _LINK.match(text, index)):
            push(_Link(_parse(link.group(1)), link.group(2)))
            index = link.end()
            continue
        plain.append(text[index])
        index += 1
    if plain:
        nodes.append(_Text("".join(plain)))
    return tuple(nodes)


def _plain(node: _Node, variables: Mapping[str, object]) -> str:
    match node:
        case _Text(template):
            return fill(template, variables)
        case _Styled(_, children):
            return "".join(_plain(child, variables) for child in children)
        case _Link(children, url):
            label = "".join(_plain(child, variables) for child in children)
            address = fill(url, variables)
            return label if label == address else f"{label} ({address})"


def _html(node: _Node, variables: Mapping[str, object]) -> str:
    match node:
        case _Text(template):
            return html.escape(fill(template, variables)).replace("\n", "<br>")
        case _Styled(tag, children):
            inner = "".join(_html(child, variables) for child in children)
            return f"<{tag}>{inner}</{tag}>"
        case _Link(children, url):
            inner = "".join(_html(child, variables) for child in children)
            address = fill(url, variables)
            if not is_safe_link(address):
                return inner
            href = html.escape(address, quote=True)
            return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{inner}</a>'


def _spans(node: _Node, variables: Mapping[str, object], style: Span) -> Iterator[Span]:
    """The node's runs of text, each in `style` plus the node's own (an unsafe link is none)."""
    match node:
        case _Text(template):
            if text := fill(template, variables):
                yield Span(text, style.bold, style.italic, style.link)
        case _Styled(tag, children):
            inner = Span("", style.bold or tag == "strong", style.italic or tag == "em", style.link)
            for child in children:
                yield from _spans(child, variables, inner)
        case _Link(children, url):
            address = fill(url, variables)
            link = address if is_safe_link(address) else style.link
            for child in children:
                yield from _spans(child, variables, Span("", style.bold, style.italic, link))
