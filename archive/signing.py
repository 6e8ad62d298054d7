"""Ed25519 signatures over ledger seals, with a key that lives outside the database.

Anyone who can write the ledger tables can recompute every hash in them, so the
hashes alone prove nothing against the app's own database role. Each seal is also
signed with a private key read from a file (``CLAIMTRAIL_LEDGER_SIGNING_KEY``); a
rewrite is caught unless the forger holds that file too. Verifiers need only the
public keys (``verify_ledger --public-key``).

Keys are named by ``key_id``: the first 16 hex digits of the SHA-256 of the raw
public key. Keys that signed older seals stay trusted through
``CLAIMTRAIL_LEDGER_TRUSTED_KEYS`` (public key files) after a rotation.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Domain separation: a seal signature can never be replayed as a signature of anything else.
_CONTEXT = b"claimtrail ledger seal v1\n"


class SigningError(RuntimeError):
    pass


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _key_path() -> Path | None:
    path = getattr(settings, "CLAIMTRAIL_LEDGER_SIGNING_KEY", None)
    return Path(path) if path else None


@functools.cache
def _load_private(path: Path, create: bool) -> Ed25519PrivateKey:
    if not path.exists():
        if not create:
            raise ImproperlyConfigured(
                f"the ledger signing key {path} does not exist: create one with"
                " `manage.py ledger_key --create` (CLAIMTRAIL_LEDGER_SIGNING_KEY)"
            )
        _create_key_file(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"cannot read the ledger signing key {path}: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"the ledger signing key {path} is not an Ed25519 key")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key readable by its owner only; if another process won the race, keep its."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def create_key(path: Path) -> Ed25519PublicKey:
    """Create a signing key at ``path`` (refused if one exists); return its public key."""
    if path.exists():
        raise SigningError(f"{path} already exists: a signing key is never overwritten")
    _create_key_file(path)
    return _load_private(path, False).public_key()


def private_key() -> Ed25519PrivateKey:
    path = _key_path()
    if path is None:
        raise ImproperlyConfigured("CLAIMTRAIL_LEDGER_SIGNING_KEY is not set")
    return _load_private(
        path, bool(getattr(settings, "CLAIMTRAIL_LEDGER_SIGNING_KEY_CREATE", False))
    )


def _message(seal_hash: str) -> bytes:
    return _CONTEXT + seal_hash.encode("ascii")


def sign(seal_hash: str) -> tuple[str, str]:
    """Return ``(key_id, signature hex)`` for a seal's hash."""
    key = private_key()
    return key_id(key.public_key()), key.sign(_message(seal_hash)).hex()


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read a PEM public key (or a private key, whose public half is taken)."""
    data = Path(path).read_bytes()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as error:
            raise SigningError(f"{path} is not a PEM key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path} is not an Ed25519 key")
    return key


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """The public keys whose seal signatures are accepted, by key id."""
    keys = [private_key().public_key()]
    keys += [
        load_public_key(Path(p)) for p in getattr(settings, "CLAIMTRAIL_LEDGER_TRUSTED_KEYS", [])
    ]
    return {key_id(key): key for key in keys}


def check(seal_hash: str, key: str, signature: str, keys: dict[str, Ed25519PublicKey]) -> str:
    """Return "" when the signature is valid, or what is wrong with it."""
    if not signature:
        return "is not signed"
    public = keys.get(key)
    if public is None:
        return f"is signed by key {key or '?'}, which is not a trusted key"
    try:
        public.verify(bytes.fromhex(signature), _message(seal_hash))
    except (InvalidSignature, ValueError):
        return f"signature does not match (key {key}): forged or edited"
    return ""
