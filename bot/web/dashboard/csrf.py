"""Cross-site request forgery: every form carries a token bound to the browser's session, checked on every POST.

The token is an HMAC of the session key under the app's web_secret, so it needs no storage and
changes with every sign-in. Before sign-in, the confirmation form is bound to a random cookie
instead (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

FIELD = "csrf"


def token_for(secret: str, session_key: str) -> str:
    """The form token of a session (or of a pre-sign-in cookie value)."""
    return hmac.new(secret.encode(), f"csrf:{session_key}".encode(), hashlib.sha256).hexdigest()


def valid(secret: str, session_key: str | None, sent: str | None) -> bool:
    """Whether a submitted form token belongs to this session; missing either side is invalid."""
    if not session_key or not sent:
        return False
    return hmac.compare_digest(token_for(secret, session_key), sent)


def new_key() -> str:
    """A random value for the pre-sign-in cookie."""
    return secrets.token_urlsafe(24)
