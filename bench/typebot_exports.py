"""How well segflow runs Typebot exports: import, validate and chat through each one.

    python bench/typebot_exports.py FOLDER [FOLDER ...] [--turns 50]

Every `*.json` file of the folders is imported as `segflow import typebot` does, published and
chatted through with the chat service on a temporary SQLite database, as `segflow chat` does.
Each awaited input gets a valid answer for its type (a name for text, an email for email, a
number within its bounds, the first button, ...). It prints what happened to each export and the
totals against the goal: every export imported, none crashed, at least 95% run to their end.
It exits with 1 when an export was not imported or crashed, so a test can run it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson

from segflow.chat import Chats, ChatTurn, flow_id_for
from segflow.errors import SegflowError
from segflow.flow import AwaitedInput
from segflow.importers import FindingKind, TypebotImportError, import_typebot
from segflow.service import Segflow
from segflow.settings import Settings

ENDED_GOAL = 0.95


class Outcome(StrEnum):
    """What became of one export, from the best to the worst."""

    ENDED = "ran to its end"
    UNSUPPORTED = "stopped; its import report names unsupported blocks"
    STOPPED = "stopped before its end"
    NOT_VALID = "imported, but its flow was refused"
    NOT_IMPORTED = "not imported"
    CRASHED = "crashed"


@dataclass
class ExportRun:
    """One export: its outcome, what the bot asked and said, and why it stopped."""

    file: Path
    outcome: Outcome = Outcome.CRASHED
    unsupported: list[str] = field(default_factory=list)  # the report's sentences
    imported: bool = False
    validated: bool = False  # published: segflow's flow reader accepted it
    turns: int = 0
    detail: str = ""  # why it stopped, was refused, or crashed


def answer_for(awaited: AwaitedInput, asked_before: int = 0) -> str:
    """A valid answer to an input, as a person filling the form in would give.

    Buttons: the first, then the next one each time the same input comes back (a menu that
    loops is left by one of its other buttons).
    """
    options = awaited.options
    items: list[dict[str, Any]] = options.get("items") or []
    if items:
        return str(items[asked_before % len(items)]["id"])
    kind = awaited.type.lower()
    if "email" in kind:
        return "ada@example.com"
    if "number" in kind and "phone" not in kind:
        return _number_within(options)
    if "phone" in kind:
        return "+33 6 12 34 56 78"
    if "date" in kind:
        return "2026-12-01"
    if "url" in kind or "website" in kind:
        return "https://example.com"
    if "rating" in kind:
        return str(options.get("length") or 5)
    if "file" in kind:
        return "https://example.com/cv.pdf"
    return "Ada"


def _number_within(options: dict[str, Any]) -> str:
    low, high = _number(options.get("min")), _number(options.get("max"))
    number = low if low is not None else min(3.0, high) if high is not None else 3.0
    return str(int(number)) if number.is_integer() else str(number)


def _number(bound: object) -> float | None:
    """A bound as a number; None when there is none (or a template left it empty)."""
    try:
        return float(str(bound)) if bound not in (None, "") else None
    except ValueError:
        return None


def run_export(chats: Chats, file: Path, turns: int) -> ExportRun:
    """Imports, publishes and chats through one export; never raises."""
    run = ExportRun(file)
    try:
        try:
            result = import_typebot(orjson.loads(file.read_bytes()))
        except (TypebotImportError, orjson.JSONDecodeError) as error:
            run.outcome, run.detail = Outcome.NOT_IMPORTED, str(error)
            return run
        run.imported = True
        run.unsupported = [str(f) for f in result.report if f.kind is FindingKind.UNSUPPORTED]
        flow_id = flow_id_for(file.stem)
        try:
            chats.flows.save(result.flow, flow_id)
            chats.flows.publish(flow_id)
        except SegflowError as error:
            run.outcome, run.detail = Outcome.NOT_VALID, str(error)
            return run
        run.validated = True
        run.turns = 1
        turn = chats.start_chat(flow_id)
        asked: Counter[str] = Counter()
        while turn.input is not None and run.turns < turns:
            answer = answer_for(turn.input, asked[turn.input.block_id])
            asked[turn.input.block_id] += 1
            turn = chats.continue_chat(turn.session.id, answer)
            run.turns += 1
        run.outcome, run.detail = _ending(turn, run, turns)
    except Exception as error:  # the measurement: any exception is a crash, reported
        run.outcome, run.detail = Outcome.CRASHED, _summary(error)
    return run


def _ending(turn: ChatTurn, run: ExportRun, turns: int) -> tuple[Outcome, str]:
    if turn.input is None:
        return Outcome.ENDED, ""
    waiting = f"still waiting on {turn.input.type} block {turn.input.block_id} after {turns} turns"
    return (Outcome.UNSUPPORTED if run.unsupported else Outcome.STOPPED), waiting


def _summary(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{where}: {error}"


def measure(folders: list[Path], turns: int) -> list[ExportRun]:
    files = sorted(file for folder in folders for file in folder.glob("*.json"))
    with tempfile.TemporaryDirectory(prefix="segflow-typebot-") as scratch:
        settings = Settings(database_url=f"sqlite:///{Path(scratch) / 'segflow.db'}")
        segflow = Segflow.open(settings)
        try:
            chats = Chats(segflow)
            return [run_export(chats, file, turns) for file in files]
        finally:
            segflow.close()


def report(runs: list[ExportRun]) -> bool:
    """Prints each export and the totals; True when none failed to import or crashed."""
    for run in runs:
        turns = f"{run.turns} turn{'' if run.turns == 1 else 's'}"
        print(f"{run.file.name}: {run.outcome} ({turns})")
        if run.detail:
            print(f"    {run.detail}")
        for sentence in run.unsupported:
            print(f"    unsupported: {sentence}")
    total = len(runs) or 1
    counts = {outcome: sum(r.outcome is outcome for r in runs) for outcome in Outcome}
    imported = sum(r.imported for r in runs)
    validated = sum(r.validated for r in runs)
    ended = counts[Outcome.ENDED]
    print()
    print(f"Exports:                 {len(runs)}")
    print(f"Imported:                {imported} ({imported / total:.0%}; goal 100%)")
    print(f"Validated and published: {validated} ({validated / total:.0%})")
    print(f"Ran to their end:        {ended} ({ended / total:.0%}; goal at least 95%)")
    print(f"Stopped, unsupported:    {counts[Outcome.UNSUPPORTED]}")
    print(f"Stopped, other reasons:  {counts[Outcome.STOPPED]}")
    print(f"Crashed:                 {counts[Outcome.CRASHED]} (goal 0)")
    goals = ended / total >= ENDED_GOAL
    print(f"Goal of 95% run to their end: {'met' if goals else 'not met'}")
    return bool(runs) and imported == len(runs) and counts[Outcome.CRASHED] == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folders", nargs="+", type=Path, help="folders of Typebot exports")
    parser.add_argument("--turns", type=int, default=50, help="answers per chat at most")
    arguments = parser.parse_args(argv)
    missing = [str(folder) for folder in arguments.folders if not folder.is_dir()]
    if missing:
        parser.error(f"no such folder: {', '.join(missing)}")
    return 0 if report(measure(arguments.folders, arguments.turns)) else 1


if __name__ == "__main__":
    sys.exit(main())
