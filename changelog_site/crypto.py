"""Secrets at rest: MultiFernet over ``TOKEN_ENCRYPTION_KEYS`` (first key encrypts, all decrypt)."""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["encrypt", "decrypt", "rotate", "is_encrypted", "InvalidToken"]


def _fernet():
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key)
                        for key in settings.TOKEN_ENCRYPTION_KEYS])


def encrypt(plaintext):
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token):
    """The plaintext; raises ``InvalidToken`` when no configured key opens it."""
    return _fernet().decrypt(token.encode()).decode()


def rotate(token):
    """The same secret, encrypted under the newest key."""
    return _fernet().rotate(token.encode()).decode()


def is_encrypted(value):
    try:
        decrypt(value)
    except (InvalidToken, ValueError, TypeError):
        return False
    return True
