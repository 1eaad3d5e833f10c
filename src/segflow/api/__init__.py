"""The public chat API over HTTP, shaped like Typebot's: startChat, continueChat, sessions.

`app` builds the FastAPI application over a `Segflow`, `routes` holds the endpoints, `bodies`
their JSON, `errors` the `{"message": ...}` answers, `turns` where turns run; `typebot` serves
the same chats to Typebot's clients (its web embed) in Typebot's own shapes.
"""

from segflow.api.app import create_app

__all__ = ["create_app"]
