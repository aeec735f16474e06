"""Password hashing (Argon2id) and the strength rules new passwords must pass."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

#: A hash of nothing anyone can type, verified when the e-mail is unknown so that a
#: wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("servqual-no-such-user")


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash in constant-ish time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, min_length: int, user_inputs: list[str]) -> list[str]:
    """Return why a new password is unacceptable (empty when it is fine)."""
    problems = []
    if len(password) < min_length:
        problems.append(_("Use at least %(n)d characters.", n=min_length))
    if len(password) > 256:
        problems.append(_("Use at most 256 characters."))
        return problems
    verdict = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if verdict["score"] < 3:
        problems.append(_("This password is too common or too easy to guess; add uncommon words."))
    return problems
