"""API tokens: random, shown once, stored only as a SHA-256 digest.

>>> token = new_token()
>>> token.startswith("chk_") and len(token) > 40
True
>>> token_digest(token) == token_digest(token)
True
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return "chk_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # A fast digest is right here: tokens carry 256 bits of entropy, unlike passwords.
    return hashlib.sha256(token.encode()).hexdigest()
