"""Typebot's public chat API, served by segflow: Typebot's web embed (`@typebot.io/js`) and
other Typebot clients chat with segflow's flows when pointed at segflow's address.

The chats are segflow's own (same engine, same sessions, same Segment messages); only the
requests and answers take Typebot's shapes. `requests` holds the bodies Typebot's clients
send, `answers` the bodies they expect, `richtext` Typebot's text formats, `sessions` how a
session ID tells a Typebot chat, `chats` the service over segflow's chats, `routes` the paths.
"""

from segflow.api.typebot.chats import TypebotChats
from segflow.api.typebot.routes import typebot_router
from segflow.api.typebot.sessions import TypebotSessionId

__all__ = ["TypebotChats", "TypebotSessionId", "typebot_router"]
