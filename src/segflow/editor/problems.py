"""A flow's problems as the editor receives them: segflow's words (`segflow.flow`'s, the same
`segflow validate` prints) and where each one is, so the editor can select its group or block
and show it beside its field."""

from __future__ import annotations

from typing import Any

from segflow.flow import FlowProblem


def problem_json(problem: FlowProblem) -> dict[str, Any]:
    return {
        "place": problem.place,
        "problem": problem.problem,
        "message": str(problem),
        "groupId": problem.group_id,
        "groupTitle": problem.group_title,
        "blockId": problem.block_id,
        "blockPosition": problem.block_position,
        "blockType": problem.block_type,
        "field": list(problem.field),  # in the block's options, e.g. ["traits", 0, "value"]
        "level": problem.level,  # a warning does not keep the draft from being published
    }
