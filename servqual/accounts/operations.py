"""Create users, sign in and out (operations flush; the caller commits)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app

from servqual.accounts.models import LoginSession, Role, User
from servqual.accounts.passwords import hash_password, password_problems, verify_password
from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.service.models import Site


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


def normalise_email(email: str) -> str:
    """Trim and lower-case an e-mail address."""
    return email.strip().lower()


def check_new_password(password: str, email: str = "", name: str = "") -> None:
    """Raise ``AccountError`` if ``password`` may not be used."""
    problems = password_problems(
        password, current_app.config["PASSWORD_MIN_LENGTH"], [email, name, "servqual"]
    )
    if problems:
        raise AccountError(" ".join(problems))


def create_user(
    email: str, name: str, password: str, role: str, sites: list[Site] | None = None
) -> User:
    """Create a staff account after checking the e-mail, role and password."""
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError(f"unknown role {role!r}")
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise AccountError(f"a user with e-mail {email} already exists")
    check_new_password(password, email, name)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), role=role)
    user.sites = list(sites or [])
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Change a password and end every session the user had open."""
    check_new_password(password, user.email, user.name)
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def authenticate(email: str, password: str) -> User | None:
    """Return the enabled user with these credentials, or ``None``."""
    user = db.session.scalar(sa.select(User).filter_by(email=normalise_email(email)))
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_enabled:
        return None
    return user


def open_session(user: User) -> str:
    """Start a server-side login session and return its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token=token, user_id=user.id))
    user.last_login_at = utcnow()
    user.login_token = token
    db.session.flush()
    return token


def end_session(token: str) -> None:
    """End one login session (logout)."""
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.token == token, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_sessions(user: User) -> None:
    """End every open login session of ``user``."""
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def user_for_token(token: str) -> User | None:
    """Return the user of an open login session."""
    login = db.session.scalar(
        sa.select(LoginSession).where(LoginSession.token == token, LoginSession.ended_at.is_(None))
    )
    if login is None or not login.user.is_enabled:
        return None
    login.user.login_token = token
    return login.user
