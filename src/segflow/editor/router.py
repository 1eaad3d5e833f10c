"""The editor's routes under /editor: the web app at /editor/ and its API at /editor/api/."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from segflow.blocks import BlockRegistry, default_registry
from segflow.chat import Flows
from segflow.editor.accounts_api import accounts_router
from segflow.editor.answers import EditorRoute
from segflow.editor.auth import EditorAuth
from segflow.editor.context import EditorContext
from segflow.editor.flows_api import flows_router
from segflow.editor.preview import PreviewChats
from segflow.editor.preview_api import preview_router
from segflow.editor.results_api import results_router
from segflow.editor.static import static_router
from segflow.service import Segflow


def editor_router(
    segflow: Segflow,
    token: str,
    *,
    flows: Flows | None = None,
    registry: BlockRegistry | None = None,
) -> APIRouter:
    """Everything the editor serves; every route asks for `token` (see `load_editor_token`).

    Pass the chat API's `flows` to share its cache of published versions.
    """
    registry = registry or default_registry()
    flows = flows or Flows(segflow, registry)
    editor = EditorContext(segflow, flows, registry, PreviewChats(segflow, flows, registry))
    auth = EditorAuth(token)
    api = APIRouter(
        prefix="/editor/api", dependencies=[Depends(auth.require)], route_class=EditorRoute
    )
    for part in (flows_router, accounts_router, preview_router, results_router):
        api.include_router(part(editor))
    router = APIRouter(tags=["editor"], route_class=EditorRoute)
    router.include_router(api)
    router.include_router(static_router(auth))
    return router
