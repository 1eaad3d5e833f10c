"""Write Keys are encrypted at rest with Fernet; the key comes from the environment or a file."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from segflow.destinations.destination import WriteKey
from segflow.errors import SettingsError
from segflow.settings import Settings

KEY_FILE_NAME = "secret.key"


class WriteKeyCipher:
    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as error:
            raise SettingsError(
                "SEGFLOW_SECRET_KEY is not a valid Fernet key (32 url-safe base64-encoded bytes); "
                "create one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            ) from error

    def encrypt(self, write_key: WriteKey) -> bytes:
        return self._fernet.encrypt(write_key.reveal().encode())

    def decrypt(self, token: bytes, *, destination: str) -> WriteKey:
        try:
            return WriteKey(self._fernet.decrypt(token).decode())
        except InvalidToken as error:
            raise SettingsError(
                f"The Write Key of destination {destination!r} cannot be decrypted: "
                "the secret key changed since it was saved. Restore the old SEGFLOW_SECRET_KEY "
                "(or key file), or add the destination again with its Write Key."
            ) from error


def load_cipher(settings: Settings) -> WriteKeyCipher:
    if settings.secret_key:
        return WriteKeyCipher(settings.secret_key.encode())
    return WriteKeyCipher(_key_file(settings.home / KEY_FILE_NAME))


def _key_file(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    # Write a private temporary file, then link it into place: readers never see a half-written
    # key, and of two processes starting at once the first link wins.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(key)
    try:
        os.link(temporary, path)
    except FileExistsError:
        key = path.read_bytes().strip()
    finally:
        temporary.unlink()
    return key
