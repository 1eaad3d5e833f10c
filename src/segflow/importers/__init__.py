"""Importers: chatbots built elsewhere (Typebot) turned into segflow flows, with a report."""

from segflow.importers.report import Finding, FindingKind
from segflow.importers.typebot import (
    TypebotImport,
    TypebotImportError,
    import_typebot,
    typebot_ids,
)

__all__ = [
    "Finding",
    "FindingKind",
    "TypebotImport",
    "TypebotImportError",
    "import_typebot",
    "typebot_ids",
]
