"""Webservice access keys (and other secrets: `seal_for`), sealed at rest with AES-256-GCM.

The webservice login (`md5(token + accesskey)`) needs the plain key, so it cannot be
hashed: it is encrypted instead.  Stored form: `v1:` + urlsafe base64 of (12-byte nonce +
ciphertext), with the user ID as associated data, so that a value copied to another user
does not decrypt.  A value without the prefix is a plain key of an older database.

The key is the setting `secret_key` or, when empty, the content of `secret_key_file`
(created with a random key, mode 0600, when missing).  `configure(settings)` loads it;
without that call, the first use loads it from the environment (`Settings.from_env()`).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from comptoir.config import Settings
from comptoir.errors import AuthenticationError, InvalidFieldError

PREFIX = "v1:"
_ACCESS_KEY = "users.accesskey"
_NONCE_BYTES = 12
_cipher: AESGCM | None = None


def configure(settings: Settings) -> None:
    """Load the key of `settings` (creating the key file if needed) for later calls."""
    global _cipher
    if settings.secret_key:
        _cipher = AESGCM(_decode(settings.secret_key, "secret_key"))
    else:
        path = Path(settings.secret_key_file)
        _cipher = AESGCM(_decode(_read_or_create(path), "secret_key_file"))


def seal(user_id: int, plain: str) -> str:
    return seal_for(_ACCESS_KEY, user_id, plain)


def unseal(user_id: int, stored: str) -> str:
    """The plain key of a stored value (a value without the prefix is already plain)."""
    plain = _open(_ACCESS_KEY, user_id, stored)
    if plain is None:
        raise AuthenticationError(
            f"the access key of user {user_id} does not decrypt with this secret key")
    return plain


def seal_for(purpose: str, record_id: int, plain: str) -> str:
    """Seal a secret of one record: `purpose` (`mailservers.passwordout`) and the record's
    ID are the associated data, so that a value copied elsewhere does not decrypt."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead().encrypt(nonce, plain.encode(), _associated(purpose, record_id))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal_for(purpose: str, record_id: int, stored: str) -> str:
    """The plain secret of `seal_for` (a value without the prefix is already plain)."""
    plain = _open(purpose, record_id, stored)
    if plain is None:
        raise AuthenticationError(
            f"the {purpose} of record {record_id} does not decrypt with this secret key")
    return plain


def _open(purpose: str, record_id: int, stored: str) -> str | None:
    if not is_sealed(stored):
        return stored
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX):])
        plain = _aead().decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:],
                                _associated(purpose, record_id))
        return plain.decode()
    except (ValueError, InvalidTag):  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def _aead() -> AESGCM:
    if _cipher is None:
        configure(Settings.from_env())
    assert _cipher is not None
    return _cipher


def _associated(purpose: str, record_id: int) -> bytes:
    return purpose.encode() + b":" + str(int(record_id)).encode()


def _decode(text: str, setting: str) -> bytes:
    text = text.strip()
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise InvalidFieldError(setting, "must hold a key: urlsafe base64 of 32 bytes")
    return key


def _read_or_create(path: Path) -> str:
    """The key in `path`; a missing file is first created with a fresh key, mode 0600
    (written aside, then linked: concurrent starts all read the same complete key)."""
    if not path.exists():
        fresh = base64.urlsafe_b64encode(os.urandom(32)).decode()
        aside = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(fresh + "\n")
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: theirs
                os.link(aside, path)
        finally:
            aside.unlink(missing_ok=True)
    return path.read_text()
