"""Routes for flows: list, create, rename, duplicate, delete, import, export; the draft
(check, save) and publishing."""

from __future__ import annotations

import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Header, Path, Response, status
from pydantic import AfterValidator, Field

from segflow.api.fields import Identifier, Name, Text, storable_json
from segflow.chat import SavedFlow
from segflow.editor.answers import DraftProblemsError, EditorRoute
from segflow.editor.context import EditorContext
from segflow.editor.documents import check_readable, finding_json, first_draft, read_import
from segflow.editor.flow_removal import delete_unpublished_flow
from segflow.editor.problems import problem_json
from segflow.editor.publishing import has_unpublished_changes, typebot_id
from segflow.editor.schemas import EditorModel
from segflow.errors import SegflowError
from segflow.flow import FlowError

Document = Annotated[
    dict[str, Any],
    AfterValidator(storable_json),
    Body(description="The flow document, as in its files."),
]
REVISION = re.compile(r"[0-9]{1,18}")
FlowId = Annotated[Identifier, Path(description="The flow's ID, e.g. lead-capture.")]
BaseRevision = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The draft revision this one was based on, as its ETag, e.g. "7": a save '
        "based on a replaced revision is refused (409). Without it, the draft is replaced.",
    ),
]


class NewFlow(EditorModel):
    name: Name


class FlowName(EditorModel):
    name: Name


class ImportedFile(EditorModel):
    text: Text
    filename: Annotated[Text, Field(max_length=500)] = ""


def summary_json(saved: SavedFlow, editor: EditorContext) -> dict[str, Any]:
    return {
        "id": saved.id,
        "name": saved.name,
        "publishedVersion": saved.published_version,
        "unpublishedChanges": has_unpublished_changes(editor.flows, editor.registry, saved),
        "createdAt": saved.created_at,
        "updatedAt": saved.updated_at,
    }


def flow_json(saved: SavedFlow, editor: EditorContext) -> dict[str, Any]:
    return summary_json(saved, editor) | {
        "draft": saved.draft,
        "revision": saved.revision,
        "typebotId": typebot_id(saved),
    }


def etag(saved: SavedFlow) -> str:
    return f'"{saved.revision}"'


def revision_in(if_match: str) -> int:
    """The revision an If-Match header names: "7" (the ETag), or 7."""
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not REVISION.fullmatch(tag):
        raise SegflowError(f'If-Match must name a draft revision, e.g. "7"; it is {if_match!r}')
    return int(tag)


def flows_router(editor: EditorContext) -> APIRouter:
    router = APIRouter(route_class=EditorRoute)
    flows = editor.flows

    @router.get("/flows")
    def list_flows() -> list[dict[str, Any]]:
        return [summary_json(saved, editor) for saved in flows.list()]

    @router.post("/flows", status_code=status.HTTP_201_CREATED)
    def create_flow(new: NewFlow) -> dict[str, Any]:
        return flow_json(flows.save(first_draft(new.name)), editor)

    @router.get("/flows/{flow_id}")
    def get_flow(flow_id: FlowId, response: Response) -> dict[str, Any]:
        saved = flows.get(flow_id)
        response.headers["ETag"] = etag(saved)
        return flow_json(saved, editor)

    @router.patch("/flows/{flow_id}")
    def rename_flow(flow_id: FlowId, renamed: FlowName) -> dict[str, Any]:
        draft = flows.get(flow_id).draft
        return flow_json(flows.save({**draft, "name": renamed.name.strip()}, flow_id), editor)

    @router.post("/flows/{flow_id}/duplicate", status_code=status.HTTP_201_CREATED)
    def duplicate_flow(flow_id: FlowId) -> dict[str, Any]:
        original = flows.get(flow_id)
        # The copy is a new flow: the other IDs chats find the original by stay with it.
        copy = {key: value for key, value in original.draft.items() if key != "aliases"}
        return flow_json(flows.save({**copy, "name": f"{original.name} (copy)"}), editor)

    @router.delete("/flows/{flow_id}", status_code=status.HTTP_204_NO_CONTENT)
    def delete_flow(flow_id: FlowId) -> Response:
        delete_unpublished_flow(editor.segflow.database, flows, flow_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/flows/import", status_code=status.HTTP_201_CREATED)
    def import_flow(upload: ImportedFile) -> dict[str, Any]:
        """Saves the flow as a new draft, problems and all, and says what needs fixing."""
        imported = read_import(upload.text, upload.filename, flows.known_ids())
        saved = flows.save(imported.document)
        return flow_json(saved, editor) | {
            "source": imported.source,
            "report": [finding_json(finding) for finding in imported.report],
            "problems": [problem_json(problem) for problem in editor.check(saved.draft)],
        }

    @router.get("/flows/{flow_id}/export")
    def export_flow(flow_id: FlowId) -> Response:
        saved = flows.get(flow_id)
        return Response(
            orjson.dumps(saved.draft, option=orjson.OPT_INDENT_2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{saved.id}.json"'},
        )

    @router.post("/flows/{flow_id}/check")
    def check_draft(flow_id: FlowId, document: Document) -> dict[str, Any]:
        """The document's problems; 200 either way (the editor checks as you type)."""
        flows.get(flow_id)
        return {"problems": [problem_json(problem) for problem in editor.check(document)]}

    @router.put("/flows/{flow_id}/draft")
    def save_draft(
        flow_id: FlowId, document: Document, response: Response, if_match: BaseRevision = None
    ) -> dict[str, Any]:
        """Saves the draft, problems and all (they keep it from being published), and answers
        its problems. A draft based on a revision saved over since is refused (409)."""
        flows.get(flow_id)
        check_readable(document, f'The draft of flow "{flow_id}"')
        base_revision = revision_in(if_match) if if_match is not None else None
        saved = flows.save(document, flow_id, base_revision=base_revision)
        response.headers["ETag"] = etag(saved)
        problems = [problem_json(problem) for problem in editor.check(saved.draft)]
        return flow_json(saved, editor) | {"problems": problems}

    @router.post("/flows/{flow_id}/publish")
    def publish(flow_id: FlowId, if_match: BaseRevision = None) -> dict[str, Any]:
        """Makes the saved draft the version new chats start on (running chats keep theirs);
        its warnings come with the answer. With If-Match, only the draft of that revision."""
        base_revision = revision_in(if_match) if if_match is not None else None
        saved = flows.get(flow_id)
        problems = editor.check(saved.draft)
        if errors := [problem for problem in problems if problem.is_error]:
            raise DraftProblemsError(errors, f'Flow "{flow_id}"')
        try:
            published = flows.publish(flow_id, base_revision=base_revision)
        except FlowError as error:
            raise DraftProblemsError(error.problems, f'Flow "{flow_id}"') from None
        return {
            "flowId": published.flow_id,
            "version": published.version,
            "publishedAt": published.published_at,
            "warnings": [problem_json(problem) for problem in problems],
        }

    return router
