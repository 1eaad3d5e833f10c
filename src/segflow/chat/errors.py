"""Errors of the chat service that an API answers with 404 or 409."""

from __future__ import annotations

from segflow.errors import SegflowError


class NotFoundError(SegflowError):
    """Something asked for by its ID does not exist."""


class FlowNotFoundError(NotFoundError):
    def __init__(self, flow_id: str, problem: str = "does not exist") -> None:
        self.flow_id = flow_id
        super().__init__(f'Flow "{flow_id}" {problem}')


class FlowIdTakenError(SegflowError):
    """A flow's ID or one of its other IDs (aliases) is another flow's already."""


class DraftConflictError(SegflowError):
    """A draft was saved or published based on a revision another save has replaced since."""

    def __init__(self, flow_id: str, base_revision: int, revision: int, saved_at: float) -> None:
        self.flow_id = flow_id
        self.base_revision = base_revision
        self.revision = revision
        self.saved_at = saved_at
        super().__init__(
            f'Flow "{flow_id}" was changed elsewhere: its draft is at revision {revision}, '
            f"not {base_revision} as when this change started; load that one, or save again "
            "based on it to replace it"
        )


class FlowChangedInEditorError(SegflowError):
    """A flow file would replace a draft saved in the Flow Editor (or through its API)."""

    def __init__(self, flow_id: str, file: str, published_version: int | None) -> None:
        self.flow_id = flow_id
        self.file = file
        self.published_version = published_version
        super().__init__(
            f'{file} was not saved as flow "{flow_id}": that flow\'s draft was saved in the '
            "Flow Editor (or through its API) and differs from the file"
        )


class ChatSessionNotFoundError(NotFoundError):
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(f'Chat session "{session_id}" does not exist')


class ChatSessionConflictError(SegflowError):
    """Two answers to the same chat were saved at once; the later one was not saved."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__(
            f'Chat session "{session_id}" got another answer at the same time; '
            "this one was not saved (nothing was sent): send it again"
        )
