"""Write Keys are encrypted at rest with Fernet, by the secret key.

The secret key comes from SEGFLOW_SECRET_KEY (several keys comma-separated, newest first) or
else from the key file in segflow's home (one key a line, newest first). The newest encrypts,
every one decrypts: `segflow secret rotate` puts a new key first, re-encrypts every Write Key
with it, and the old ones can then be removed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from segflow.destinations.destination import WriteKey
from segflow.errors import DestinationError, SettingsError
from segflow.settings import Settings

KEY_FILE_NAME = "secret.key"
ENVIRONMENT_VARIABLE = "SEGFLOW_SECRET_KEY"
RE_ENTER = "segflow destination update {name} --write-key -"


class UndecryptableWriteKeyError(DestinationError):
    """A stored Write Key that none of the secret keys decrypts: the key it was saved with is
    gone, so a person has to type the Write Key again."""

    def __init__(self, destination: str, source: str, remedy: str | None = None) -> None:
        self.destination = destination
        remedy = remedy or (
            f"re-enter it with `{RE_ENTER.format(name=destination)}` (or restore the secret key "
            "it was saved with)"
        )
        super().__init__(
            f"Account {destination!r}: Write Key cannot be decrypted with {source}: {remedy}"
        )


def describe_undecryptable(names: Sequence[str], source: str) -> str:
    """One line naming the accounts whose Write Key must be typed again, and how."""
    if len(names) == 1:
        return str(UndecryptableWriteKeyError(names[0], source))
    accounts = ", ".join(repr(name) for name in names)
    return (
        f"Accounts {accounts}: Write Keys cannot be decrypted with {source}: re-enter each "
        f"with `{RE_ENTER.format(name='NAME')}` (or restore the secret key they were saved with)"
    )


@dataclass(frozen=True)
class SecretKeys:
    """The secret keys, newest first, and where they come from."""

    keys: tuple[bytes, ...]
    file: Path | None  # None: from SEGFLOW_SECRET_KEY

    @property
    def source(self) -> str:
        return ENVIRONMENT_VARIABLE if self.file is None else f"the key file {self.file}"

    def with_newest(self, key: bytes) -> SecretKeys:
        """These keys with `key` first (moved there if it is one of them)."""
        return SecretKeys((key, *(old for old in self.keys if old != key)), self.file)


def read_keys(settings: Settings) -> SecretKeys:
    """The keys of SEGFLOW_SECRET_KEY, else of the key file (created with a new key if missing)."""
    if settings.secret_key is not None and settings.secret_key.strip():
        keys = _split(settings.secret_key.split(","))
        _check(keys, ENVIRONMENT_VARIABLE)
        return SecretKeys(keys, None)
    path = settings.home / KEY_FILE_NAME
    return SecretKeys(_key_file(path), path)


def new_key() -> bytes:
    return Fernet.generate_key()


def check_key(key: bytes, source: str) -> None:
    _check((key,), source)


class WriteKeyCipher:
    """Encrypts with the newest secret key and decrypts with any. The key file is read again
    when it changed since (`segflow secret rotate` in another process puts a new key there)
    before a Write Key is encrypted, and when one does not decrypt."""

    def __init__(self, keys: SecretKeys) -> None:
        _check(keys.keys, keys.source)
        self._keys = keys
        self._fernet = _multi(keys.keys)
        self._lock = threading.Lock()
        self._changed_at = _changed_at(keys.file)

    @property
    def source(self) -> str:
        return self._keys.source

    def encrypt(self, write_key: WriteKey) -> bytes:
        self._reread()
        return self._fernet.encrypt(write_key.reveal().encode())

    def decrypt(self, token: bytes, *, destination: str) -> WriteKey:
        try:
            return WriteKey(self._fernet.decrypt(token).decode())
        except InvalidToken:
            pass
        if self._reread():
            try:
                return WriteKey(self._fernet.decrypt(token).decode())
            except InvalidToken:
                pass
        raise UndecryptableWriteKeyError(destination, self.source)

    def rotate(self, token: bytes) -> bytes | None:
        """The token encrypted again with the newest key; None when no key decrypts it."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            return None

    def _reread(self) -> bool:
        """Reads the key file again if it changed; whether its keys changed."""
        changed_at = _changed_at(self._keys.file)
        if self._keys.file is None or changed_at in (None, self._changed_at):
            return False
        with self._lock:
            self._changed_at = changed_at
            keys = _split(self._keys.file.read_text().splitlines())
            if not keys or keys == self._keys.keys:
                return False
            _check(keys, self._keys.source)
            self._keys = SecretKeys(keys, self._keys.file)
            self._fernet = _multi(keys)
            return True


def load_cipher(settings: Settings) -> WriteKeyCipher:
    return WriteKeyCipher(read_keys(settings))


def write_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Replaces the key file at once (readers see the old or the new one, whole), private."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(b"".join(key + b"\n" for key in keys))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _changed_at(file: Path | None) -> tuple[int, int, int] | None:
    """When the key file last changed, told apart from another file put in its place."""
    if file is None:
        return None
    try:
        status = file.stat()
    except FileNotFoundError:
        return None
    return (status.st_mtime_ns, status.st_ino, status.st_size)


def _split(parts: Sequence[str]) -> tuple[bytes, ...]:
    return tuple(part.strip().encode() for part in parts if part.strip())


def _check(keys: Sequence[bytes], source: str) -> None:
    if not keys:
        raise SettingsError(f"{source} holds no key: {_CREATE}")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            which = f"key {position} of {len(keys)} in {source}" if len(keys) > 1 else source
            raise SettingsError(
                f"{which[0].upper()}{which[1:]} is not a valid Fernet key (32 url-safe "
                f"base64-encoded bytes): {_CREATE}"
            ) from None


_CREATE = (
    "create one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)


def _multi(keys: Sequence[bytes]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _key_file(path: Path) -> tuple[bytes, ...]:
    if path.exists():
        return _split(path.read_text().splitlines())
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
        return _split(path.read_text().splitlines())
    finally:
        temporary.unlink()
    return (key,)
