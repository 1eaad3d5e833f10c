"""The public chat API over HTTP, shaped like Typebot's: startChat, continueChat, sessions.

`app` builds the FastAPI application over a `Segflow`, `routes` holds the endpoints, `bodies`
their JSON, `errors` the `{"message": ...}` answers, `server` runs it with uvicorn.
"""

from segflow.api.app import create_app

__all__ = ["create_app"]
