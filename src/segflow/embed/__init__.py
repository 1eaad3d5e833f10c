"""segflow's web embed: the chat on any website (a script and its stylesheet under /embed/)
and a page of its own per published flow, /chat/{flowId}. Public, like the chat API.

    app.include_router(embed_router(chats.flows))
"""

from segflow.embed.router import embed_router

__all__ = ["embed_router"]
