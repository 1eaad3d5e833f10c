"""`segflow secret rotate`: a new secret key for the Write Keys of Segment accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from segflow.cli.app import app
from segflow.cli.context import console, settings
from segflow.destinations.secrets import (
    ENVIRONMENT_VARIABLE,
    check_key,
    describe_undecryptable,
    new_key,
    read_keys,
    write_key_file,
)
from segflow.errors import SegflowError
from segflow.service import Segflow

secret = typer.Typer(
    help="The secret key that encrypts the Write Keys of Segment accounts.", no_args_is_help=True
)
app.add_typer(secret, name="secret")


@secret.command()
def rotate(
    ctx: typer.Context,
    new: Annotated[
        str | None,
        typer.Option(
            "--new-key",
            help="'-' to read the new Fernet key from standard input (default: generate one).",
        ),
    ] = None,
) -> None:
    """Encrypt every Write Key with a new secret key; the old keys still decrypt until removed.

    With the key file (segflow's home), the new key is written first into it. With
    SEGFLOW_SECRET_KEY, it says what to set it to. Then every stored Write Key is encrypted
    again with the new key, in one transaction."""
    chosen = settings(ctx)
    current = read_keys(chosen)
    if new is None:
        key = new_key()
    elif new == "-":
        key = sys.stdin.read().strip().encode()
        if not key:
            raise SegflowError("--new-key -: standard input was empty; pipe the new key into it")
        check_key(key, "The new key (--new-key -)")
    else:
        raise SegflowError(
            "--new-key takes '-' and reads the key from standard input, so that it stays out of "
            "your shell history and process list"
        )
    keys = current.with_newest(key)
    if keys.file is not None:
        write_key_file(keys.file, keys.keys)
    else:
        chosen = chosen.model_copy(update={"secret_key": ",".join(k.decode() for k in keys.keys)})
    segflow = Segflow.open(chosen)
    try:
        rotated = segflow.destinations.rotate_write_keys()
    finally:
        segflow.close()
    old = len(keys.keys) - 1
    lines = [f"Re-encrypted the Write Keys of {rotated.reencrypted} account(s) with the new key."]
    if keys.file is not None and not old:
        lines.append(f"The key file {keys.file} holds it.")
    elif keys.file is not None:
        lines.append(
            f"The key file {keys.file} holds the new key first and {old} old one(s) after it. "
            "The old key(s) can be removed now: delete every line but the first (running "
            "segflow processes read the file again by themselves)."
        )
    else:
        lines += [
            f"Set {ENVIRONMENT_VARIABLE} to the new key followed by the old one(s), wherever "
            "segflow runs, and restart serve and deliver:",
            f"  {ENVIRONMENT_VARIABLE}={','.join(k.decode() for k in keys.keys)}",
            f"Once all run with it, the old key(s) can be removed: "
            f"{ENVIRONMENT_VARIABLE}={key.decode()}",
        ]
    if rotated.undecryptable:
        lines.append(describe_undecryptable(rotated.undecryptable, keys.source))
    console.print("\n".join(lines), markup=False)
