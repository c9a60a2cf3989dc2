"""Cross-site request forgery: every form carries a token bound to the browser's session, checked on every POST.

The token is itsdangerous's signature of the session key under the app's web_secret, so it needs no
storage and changes with every sign-in. Before sign-in, the confirmation form is bound to a random
cookie instead (double submit).
"""

from __future__ import annotations

import secrets

from itsdangerous import Signer

FIELD = "csrf"
_SALT = "htxbot.dashboard.csrf"


def token_for(secret: str, session_key: str) -> str:
    """The form token of a session (or of a pre-sign-in cookie value)."""
    return Signer(secret, salt=_SALT).get_signature(session_key).decode("ascii")


def valid(secret: str, session_key: str | None, sent: object) -> bool:
    """Whether a submitted form token belongs to this session; missing either side is invalid."""
    if not session_key or not isinstance(sent, str) or not sent or not sent.isascii():
        return False
    return Signer(secret, salt=_SALT).verify_signature(session_key, sent)


def new_key() -> str:
    """A random value for the pre-sign-in cookie."""
    return secrets.token_urlsafe(24)
