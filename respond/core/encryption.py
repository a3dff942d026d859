"""Secrets the service must read back (so not hashed), encrypted at rest: a copy of the database (a backup, a
replica, a leaked dump) does not give them away without the running service's settings.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a key derived by HKDF from SECRET_KEY and what the
secret is for. New secrets are encrypted under SECRET_KEY; those written under an older key are still read while
that key is in SECRET_KEY_FALLBACKS (as Django reads cookies signed with it), so keep it there when rotating."""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class UnreadableSecret(Exception):
    """Encrypted with a key that is no longer SECRET_KEY or one of its fallbacks."""


def _fernet(secret_key: str, purpose: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"respond:{purpose}".encode()).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys(purpose: str) -> MultiFernet:
    return MultiFernet([_fernet(key, purpose) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]])


def encrypt(text: str, *, purpose: str) -> str:
    return _keys(purpose).encrypt(text.encode()).decode()


def decrypt(token: str, *, purpose: str) -> str:
    try:
        return _keys(purpose).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise UnreadableSecret(f"A {purpose} cannot be decrypted with SECRET_KEY or its fallbacks") from error
