"""The public chat API over HTTP, shaped like Typebot's: startChat, continueChat, sessions.

`app` builds the FastAPI application over a `Segflow` (`asgi` builds it from the environment,
for process managers), `routes` holds the endpoints, `bodies` their JSON, `errors` the
`{"message": ...}` answers, `turns` where turns run; `typebot` serves the same chats to
Typebot's clients (its web embed) in Typebot's own shapes. What a visitor may send: `limits`
(sizes, new chats per address), `fields` (what segflow can store), `cors` (which websites);
`visitor` reads the Segment context a request tells.
"""

from segflow.api.app import create_app

__all__ = ["create_app"]
