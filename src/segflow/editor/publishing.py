"""What the editor tells about a flow's publishing: whether its draft has changes that new
chats do not see yet, and the ID a Typebot embed names it by."""

from __future__ import annotations

from pydantic import ValidationError

from segflow.blocks import BlockRegistry
from segflow.chat import Flows, SavedFlow
from segflow.flow import Flow, FlowReading


def has_unpublished_changes(flows: Flows, registry: BlockRegistry, saved: SavedFlow) -> bool:
    """Whether publishing the draft now would make a new version: both are read as segflow
    reads them today, so layout moves count and re-serialising does not. False for a flow
    never published (the editor says "not published yet" instead)."""
    if saved.published_version is None:
        return False
    latest = flows.published(saved.id)
    try:
        draft = Flow.model_validate(saved.draft, context=FlowReading(registry))
    except ValidationError:
        return True  # a draft that cannot be read is not what chats run on
    return draft.model_dump(mode="json") != latest.flow.model_dump(mode="json")


def typebot_id(saved: SavedFlow) -> str:
    """What a Typebot embed names the flow by (`typebot: …`): the first of the flow's other
    IDs (`aliases`: an imported Typebot's publicId comes first), else its flow ID."""
    aliases = saved.draft.get("aliases")
    if isinstance(aliases, list) and aliases and isinstance(aliases[0], str) and aliases[0]:
        return aliases[0]
    return saved.id
