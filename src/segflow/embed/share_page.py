"""The share page's HTML: the flow's chat full-page, drawn by the embed, inline."""

from __future__ import annotations

from html import escape

_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/embed/share.css">
</head>
"""


def share_page(flow_id: str, name: str, description: str) -> str:
    """`flow_id` must be a published flow's ID; the page loads the embed on it."""
    about = f'<p class="segflow-share-about">{escape(description)}</p>' if description else ""
    return _HEAD.format(title=escape(name)) + (
        '<body class="segflow-share">\n<main>\n'
        f"<h1>{escape(name)}</h1>\n{about}\n"
        '<div id="segflow-chat" class="segflow-share-chat"></div>\n</main>\n'
        '<script type="module" src="/embed/segflow.js" '
        f'data-flow="{escape(flow_id)}" data-mode="inline" data-target="#segflow-chat" '
        f'data-title="{escape(name)}"></script>\n'
        "</body>\n</html>\n"
    )


def missing_flow_page(flow_id: str) -> str:
    """The 404 page of a flow that does not exist or is not published (visitors are not told
    which: a draft's existence is the builder's business)."""
    return _HEAD.format(title="Chat not found") + (
        '<body class="segflow-share">\n<main>\n<h1>This chat is not available</h1>\n'
        f"<p>No published chat is called “{escape(flow_id)}”. Check the link, or ask the person "
        "who shared it.</p>\n"
        "</main>\n</body>\n</html>\n"
    )
