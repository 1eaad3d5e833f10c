"""segflow's formatted text (bold, italic, links, line breaks) in Typebot's two text formats:
Slate `richText` nodes, which the web embed draws, and `markdown`.

A message's styled runs (`TextMessage.spans`) are the source: a person's answers shown in
the text stay plain text in both formats, as they do in segflow's HTML.
"""

from __future__ import annotations

import re
from dataclasses import fields
from itertools import groupby
from operator import attrgetter
from typing import Any

from segflow.blocks import Span, TextMessage

# Markdown's inline markers, escaped wherever they are; block markers only at a line's start.
_INLINE_MARKERS = re.compile(r"([\\`*_\[\]<>])")
_BLOCK_MARKER = re.compile(r"^(\s*)([#>+-]|\d+\.)")
_EDGE_SPACE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def rich_text(message: TextMessage) -> list[dict[str, Any]]:
    """Slate paragraphs, one per line; leaves carry `bold`/`italic`, links are `a` elements."""
    paragraphs: list[dict[str, Any]] = []
    for line in _lines(message):
        children: list[dict[str, Any]] = []
        for link, spans in groupby(line, key=lambda span: span.link):
            leaves = [_leaf(span) for span in spans]
            if link is None:
                children += leaves
            else:
                children.append({"type": "a", "url": link, "children": leaves})
        paragraphs.append({"type": "p", "children": children or [{"text": ""}]})
    return paragraphs


def markdown(message: TextMessage) -> str:
    """CommonMark, a line per line; the text's own `*`, `_`, `[`... are escaped."""
    lines: list[str] = []
    for line in _lines(message):
        parts: list[str] = []
        for link, spans in groupby(line, key=lambda span: span.link):
            inner = "".join(_marked(span) for span in spans)
            parts.append(inner if link is None else f"[{inner}]({_address(link)})")
        lines.append(_BLOCK_MARKER.sub(r"\1\\\2", "".join(parts)))
    return "\n".join(lines)


def _lines(message: TextMessage) -> list[list[Span]]:
    """The message's runs, split at line breaks, with neighbours of one style joined."""
    spans = message.spans or (Span(message.text),)  # a block's message without runs: plain
    lines: list[list[Span]] = [[]]
    for span in spans:
        first, *others = span.text.split("\n")
        _append(lines[-1], span, first)
        for text in others:
            lines.append([])
            _append(lines[-1], span, text)
    return lines


def _append(line: list[Span], span: Span, text: str) -> None:
    """Adds `text` in the style of `span` to the end of `line`."""
    if not text:
        return
    if line and _style(line[-1]) == _style(span):
        text = line.pop().text + text
    line.append(span if text == span.text else Span(text, *_style(span)))


# A span's style: its fields but its text (the first), in the order Span takes them.
_style = attrgetter(*(field.name for field in fields(Span)[1:]))


def _leaf(span: Span) -> dict[str, Any]:
    leaf: dict[str, Any] = {"text": span.text}
    if span.bold:
        leaf["bold"] = True
    if span.italic:
        leaf["italic"] = True
    return leaf


def _marked(span: Span) -> str:
    text = _INLINE_MARKERS.sub(r"\\\1", span.text)
    marker = "**" * span.bold + "*" * span.italic
    if not marker:
        return text
    # Markdown ignores a marker next to a space: spaces at the edges go outside.
    match = _EDGE_SPACE.fullmatch(text)
    assert match is not None  # the pattern matches any text
    before, core, after = match.groups()
    return f"{before}{marker}{core}{marker}{after}" if core else text


def _address(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
