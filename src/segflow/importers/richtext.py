"""Rich text from chatbot builders (Slate trees, HTML) as segflow's text: **bold**, *italic*, links.

segflow's text bubbles know `**bold**`, `*italic*` and `[label](https://…)`, not nested; each
paragraph is its own line. Formatting segflow cannot show (underline, bold italic, code...) is
dropped and named in `RichText.dropped_formatting`, so the importer can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

# Slate elements that sit inside a line rather than making one.
_INLINE_ELEMENTS = {"a", "inline-variable"}
_LIST_ELEMENTS = {"ul": False, "ol": True}  # element -> numbered
_SHOWN_MARKS = {"text", "bold", "italic"}


@dataclass(frozen=True)
class RichText:
    text: str
    dropped_formatting: frozenset[str] = field(default_factory=frozenset)


def slate_to_text(nodes: Sequence[Any]) -> RichText:
    """A Slate tree (a list of top-level elements, one per line) as segflow text."""
    writer = _SlateWriter()
    lines = writer.lines(nodes)
    return RichText("\n".join(lines), frozenset(writer.dropped))


def html_to_text(html: str) -> RichText:
    """HTML from older exports (`<p>`, `<br>`, `<strong>`, `<em>`, `<a href>`) as segflow text."""
    parser = _HtmlWriter()
    parser.feed(html)
    parser.close()
    lines = "".join(parser.parts).split("\n")
    return RichText(
        "\n".join(line.strip() for line in lines).strip("\n"), frozenset(parser.dropped)
    )


class _SlateWriter:
    def __init__(self) -> None:
        self.dropped: set[str] = set()

    def lines(self, nodes: Iterable[Any]) -> list[str]:
        lines: list[str] = []
        for node in nodes:
            if not isinstance(node, Mapping):
                continue
            kind = node.get("type")
            children = _children(node)
            if kind in _LIST_ELEMENTS:
                for number, item in enumerate(children, start=1):
                    bullet = f"{number}. " if _LIST_ELEMENTS[kind] else "- "
                    lines.append(
                        bullet + self.inline(_children(item) if _is_element(item) else [item])
                    )
            elif "text" in node or kind in _INLINE_ELEMENTS:
                lines.append(self.inline([node]))
            elif children and all(
                _is_element(c) and c.get("type") not in _INLINE_ELEMENTS for c in children
            ):
                lines.extend(self.lines(children))  # a wrapper of lines, e.g. a block variable
            else:
                lines.append(self.inline(children))
        return lines

    def inline(self, nodes: Iterable[Any]) -> str:
        """Leaves and inline elements as one line; runs of equal formatting share their markers."""
        out: list[str] = []
        run: list[str] = []
        run_marks: tuple[bool, bool] = (False, False)

        def flush() -> None:
            if run:
                out.append(_marked("".join(run), *run_marks))
                run.clear()

        for node in nodes:
            if not isinstance(node, Mapping):
                continue
            if "text" in node:
                marks = (bool(node.get("bold")), bool(node.get("italic")))
                if all(marks):  # segflow text cannot nest them
                    self.dropped.add("bold italic (shown bold)")
                if marks != run_marks:
                    flush()
                    run_marks = marks
                run.append(str(node.get("text") or ""))
                self.dropped.update(k for k, v in node.items() if k not in _SHOWN_MARKS and v)
                continue
            flush()
            if node.get("type") == "a":
                label = self.inline(_children(node))
                url = str(node.get("url") or "")
                out.append(f"[{label or url}]({url})" if url else label)
            else:  # inline variables and anything unknown: their content, inline
                out.append(self.inline(_flatten_lines(_children(node))))
        flush()
        return "".join(out)


def _marked(text: str, bold: bool, italic: bool) -> str:
    core = text.strip()
    if not core or not (bold or italic):
        return text
    marker = "**" if bold else "*"
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def _children(node: Any) -> list[Any]:
    children = node.get("children") if isinstance(node, Mapping) else None
    return list(children) if isinstance(children, list) else []


def _is_element(node: Any) -> bool:
    return isinstance(node, Mapping) and "text" not in node


def _flatten_lines(nodes: list[Any]) -> list[Any]:
    """Paragraphs nested inside an inline element, unwrapped to their content."""
    flat: list[Any] = []
    for node in nodes:
        if _is_element(node) and node.get("type") not in _INLINE_ELEMENTS:
            flat.extend(_flatten_lines(_children(node)))
        else:
            flat.append(node)
    return flat


_HTML_LINES = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6"})
_HTML_MARKERS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
_HTML_DROPPED = {"u": "underline", "s": "strikethrough", "code": "code"}


class _HtmlWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropped: set[str] = set()
        self._links: list[str] = []
        self._link_starts: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        new_line = tag in _HTML_LINES and self.parts and not self.parts[-1].endswith("\n")
        if new_line or tag == "br":
            self.parts.append("\n")
        elif tag in _HTML_MARKERS:
            self.parts.append(_HTML_MARKERS[tag])
        elif tag in _HTML_DROPPED:
            self.dropped.add(_HTML_DROPPED[tag])
        elif tag == "a":
            self._links.append(dict(attrs).get("href") or "")
            self._link_starts.append(len(self.parts))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_LINES:
            self.parts.append("\n")
        elif tag in _HTML_MARKERS:
            self.parts.append(_HTML_MARKERS[tag])
        elif tag == "a" and self._links:
            url, start = self._links.pop(), self._link_starts.pop()
            if url:
                label = "".join(self.parts[start:]) or url
                self.parts[start:] = [f"[{label}]({url})"]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
