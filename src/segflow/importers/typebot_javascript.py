"""What a Typebot Set variable's expression is: a plain value, simple arithmetic, or code.

Older Typebot ran every expression as JavaScript and, when that failed, kept it as text. segflow
never runs JavaScript: text stays a value, arithmetic on variables (`{{Score}} + 1`) becomes a
segflow expression, and anything else is code the importer reports instead of importing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from segflow.blocks.expressions import ExpressionError, parse_expression

# Signs of JavaScript that plain text (which Typebot also accepted here) hardly ever has.
_CODE_SIGNS = re.compile(
    r"(?:^|[;{}\n])\s*return\b|;\s*(?:\n|$)|=>|===|!==|&&|\|\|"
    r"|\b(?:const|let|var)\s+[A-Za-z_$][\w$]*\s*=|\bfunction\s*[\w$]*\s*\("
    r"|\bnew\s+[A-Z]\w*\s*\(|\b(?:Math|JSON|Object|Array)\.[a-z]"
    r"|\b(?:Date|Number|String|Boolean|parseInt|parseFloat)\s*\("
    r"|\}\}(?:\.[A-Za-z_]|\[)|\.(?:length\b|[A-Za-z_]\w*\()"
)
_QUOTED = re.compile(r"""\s*(['"])([^'"\\]*)\1\s*""")
_TOKEN = re.compile(
    r"\s*(?:(?P<variable>\{\{[^{}]+\}\})|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<string>'[^'\\]*'|\"[^\"'\\]*\")|(?P<operator>[-+*/%()]))"
)
_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # other names are written {{name}}
_KEYWORDS = {"and", "or", "not", "true", "false"}


def looks_like_code(source: str) -> bool:
    """Whether Typebot would have computed `source` rather than kept it as text."""
    return bool(_CODE_SIGNS.search(source)) or _arithmetic(source) is not None


def unquoted(source: str) -> str:
    """A JavaScript string literal ('text' or "text") as its text; anything else as it is."""
    quoted = _QUOTED.fullmatch(source)
    return quoted.group(2) if quoted else source


def as_expression(source: str, rename: Callable[[str], str]) -> str | None:
    """Arithmetic such as `({{Score}} + 1) * 2` as a segflow expression (`(Score + 1) * 2`),
    None if it is anything else. `rename` gives a `{{reference}}`'s segflow variable name."""
    tokens = _arithmetic(source)
    if tokens is None:
        return None
    out = ""
    for kind, text in tokens:
        if kind == "variable":
            name = rename(text)
            text = (
                name if _BARE_NAME.fullmatch(name) and name not in _KEYWORDS else f"{{{{{name}}}}}"
            )
        elif kind == "string":
            text = f"'{text[1:-1]}'"
        out += text if not out or out.endswith("(") or text == ")" else f" {text}"
    try:
        parse_expression(out)
    except ExpressionError:
        return None
    return out


def _arithmetic(source: str) -> list[tuple[str, str]] | None:
    """`source` as (kind, text) tokens if it is arithmetic on variables, numbers and strings."""
    tokens: list[tuple[str, str]] = []
    position = len(source) - len(source.lstrip())
    while position < len(source.rstrip()):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            return None
        kind = str(match.lastgroup)
        tokens.append((kind, match.group(kind)))
        position = match.end()
    expecting_operand, depth, operators = True, 0, 0
    for kind, text in tokens:
        if expecting_operand:
            if text == "(":
                depth += 1
            elif kind != "operator":
                expecting_operand = False
            elif text not in "+-":  # only a sign may stand before an operand
                return None
        elif text == ")":
            depth -= 1
            if depth < 0:
                return None
        elif kind == "operator" and text != "(":
            expecting_operand, operators = True, operators + 1
        else:
            return None
    return tokens if operators and depth == 0 and not expecting_operand else None
