"""The editor's access token: from SEGFLOW_EDITOR_TOKEN, else generated once into segflow's home."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from segflow.settings import Settings

TOKEN_FILE_NAME = "editor-token"


def load_editor_token(settings: Settings) -> str:
    """The token the editor and its API ask for; the first call without SEGFLOW_EDITOR_TOKEN
    writes a new one, readable by its owner only, to `editor-token` in segflow's home."""
    if settings.editor_token is not None and settings.editor_token.get_secret_value().strip():
        return settings.editor_token.get_secret_value().strip()
    return _token_file(settings.home / TOKEN_FILE_NAME)


def _token_file(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    # A private temporary file linked into place: of two processes starting at once, the
    # first link wins and both use its token.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(token)
    try:
        os.link(temporary, path)
    except FileExistsError:
        token = path.read_text(encoding="utf-8").strip()
    finally:
        temporary.unlink()
    return token
