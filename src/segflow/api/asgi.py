"""`segflow.api.asgi:app`: the chat API and the Flow Editor, for process managers.

    gunicorn --preload -w 2 -k uvicorn_worker.UvicornWorker segflow.api.asgi:app

It is built from the environment's settings (SEGFLOW_DATABASE_URL, SEGFLOW_EDITOR_TOKEN, ...)
when imported: with --preload, once in the manager, before its workers are forked. Each
worker then opens its own database connections and HTTP clients (see segflow.store.db).
Events are sent by `segflow deliver`, run beside it.
"""

from __future__ import annotations

from fastapi import FastAPI

from segflow.api.app import create_app
from segflow.editor import load_editor_token
from segflow.service import Segflow
from segflow.settings import Settings


def environment_app() -> FastAPI:
    """The chat API with the Flow Editor, over the database the environment names."""
    settings = Settings()
    segflow = Segflow.open(settings)  # brings the schema up to date
    return create_app(segflow, editor_token=load_editor_token(settings))


app = environment_app()
