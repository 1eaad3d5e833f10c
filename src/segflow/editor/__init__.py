"""The Flow Editor: a web app (plain ES modules in `static/`) and its API, under /editor.

`segflow serve` mounts it beside the public chat API:

    app.include_router(editor_router(segflow, load_editor_token(segflow.settings)))
"""

from segflow.editor.router import editor_router
from segflow.editor.token import TOKEN_FILE_NAME, load_editor_token

__all__ = ["TOKEN_FILE_NAME", "editor_router", "load_editor_token"]
