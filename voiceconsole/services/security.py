"""Tokens, hashing and encryption at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

from voiceconsole.settings import get_settings


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_signing_secret() -> str:
    """`whsec_` + base64 of 32 random bytes: the Standard Webhooks secret format."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _fernet() -> Fernet:
    # Derive a valid Fernet key from any VOICECONSOLE_SECRET_KEY string.
    digest = hashlib.sha256(get_settings().secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong VOICECONSOLE_SECRET_KEY or tampered value
        raise ValueError("cannot decrypt: VOICECONSOLE_SECRET_KEY changed or value corrupted") from exc
