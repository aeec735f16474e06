"""Signing in and out, password rules, rate limits, CSRF and security headers."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from servqual.accounts.models import LoginSession, User
from servqual.accounts.operations import AccountError, create_user
from servqual.accounts.passwords import verify_password
from servqual.cli import main as cli_main
from servqual.extensions import db as _db
from tests.conftest import GOOD_PASSWORD, make_app


def sign_in(client, email, password=GOOD_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_login_opens_a_server_side_session_and_logout_ends_it(client, make_user, db):
    user = make_user("manager")
    response = sign_in(client, user.email.upper())  # e-mail is case-insensitive
    assert response.status_code == 302
    assert client.get("/").get_data(as_text=True).count(user.name) >= 1
    with client.session_transaction() as session:
        stolen_cookie_session = dict(session)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 1

    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 302  # signed out

    # Replaying the session as it was before logout does not bring the user back.
    with client.session_transaction() as session:
        session.update(stolen_cookie_session)
    response = client.get("/")
    assert user.name not in response.get_data(as_text=True)
    ended = db.session.scalar(sa.select(LoginSession.ended_at))
    assert ended is not None


def test_login_starts_a_fresh_session(client, make_user):
    user = make_user("agent")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize("password", ["wrong-password-entirely", ""])
def test_wrong_credentials_are_refused_without_saying_which(client, make_user, password):
    user = make_user("admin")
    response = sign_in(client, user.email, password)
    assert response.status_code in (400, 401)
    assert client.get("/admin/users").status_code == 302
    if password:
        unknown = sign_in(client, "nobody@example.com", password)
        assert unknown.status_code == 401
        assert "Wrong e-mail or password." in unknown.get_data(as_text=True) or (
            "Correo o contraseña incorrectos." in unknown.get_data(as_text=True)
        )


def test_disabled_accounts_cannot_sign_in(client, make_user):
    user = make_user("manager", is_enabled=False)
    assert sign_in(client, user.email).status_code == 401


def test_disabling_an_account_ends_its_sessions(client, make_user, login, db):
    admin, victim = make_user("admin"), make_user("manager")
    other = client.application.test_client()
    sign_in(other, victim.email)
    assert other.get("/").status_code == 200 and victim.name in other.get("/").get_data(True)
    login(admin)
    response = client.post(
        f"/admin/users/{victim.id}/edit",
        data={"name": victim.name, "email": victim.email, "role": "manager"},
    )
    assert response.status_code == 302
    assert victim.name not in other.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "at least 12"),
        ("password1234", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
    ],
)
def test_weak_passwords_are_refused(db, password, problem):
    with force_locale("en"), pytest.raises(AccountError, match=problem):
        create_user("new@example.com", "New Person", password, "manager")


def test_passwords_are_stored_as_argon2id(db):
    user = create_user("new@example.com", "New Person", GOOD_PASSWORD, "auditor")
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    assert not verify_password(user.password_hash, GOOD_PASSWORD + "x")


def test_admin_creates_an_account_through_the_form(client, make_user, login, db):
    login(make_user("admin"))
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Nora",
            "email": "Nora@Example.com",
            "role": "auditor",
            "password": GOOD_PASSWORD,
            "is_enabled": "y",
        },
    )
    assert response.status_code == 302
    nora = db.session.scalar(sa.select(User).filter_by(email="nora@example.com"))
    assert nora.role == "auditor" and nora.is_enabled

    weak = client.post(
        "/admin/users/new",
        data={"name": "Weak", "email": "weak@example.com", "role": "agent", "password": "123456"},
    )
    assert weak.status_code == 400
    assert db.session.scalar(sa.select(User).filter_by(email="weak@example.com")) is None


def test_an_admin_cannot_lock_themselves_out(client, make_user, login):
    admin = make_user("admin")
    login(admin)
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"name": admin.name, "email": admin.email, "role": "manager", "is_enabled": "y"},
    )
    assert response.status_code == 400
    assert admin.role == "admin"


def test_login_is_rate_limited(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.db'}",
        tmp_path,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        codes = [
            sign_in(client, "x@example.com", "whatever-password").status_code for _ in range(4)
        ]
        _db.engine.dispose()
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_forms_require_a_csrf_token(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        _db.create_all()
        create_user("csrf@example.com", "Csrf Person", GOOD_PASSWORD, "admin")
        _db.session.commit()
        client = app.test_client()
        refused = sign_in(client, "csrf@example.com")
        assert refused.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        accepted = client.post(
            "/login",
            data={"email": "csrf@example.com", "password": GOOD_PASSWORD, "csrf_token": token},
        )
        assert accepted.status_code == 302
        # Logging out and switching language are forms too.
        assert client.post("/logout").status_code == 400
        _db.engine.dispose()


def test_security_headers(client, make_user, login):
    public = client.get("/login")
    policy = public.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    login(make_user("admin"))
    staff = client.get("/admin/users")
    assert staff.headers["Cache-Control"] == "no-store"


def test_open_redirects_after_login_are_ignored(client, make_user):
    user = make_user("admin")
    response = client.post(
        "/login?next=https://evil.example/", data={"email": user.email, "password": GOOD_PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_users_create_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        cli_main,
        [
            "users",
            "create",
            "--email",
            "cli@example.com",
            "--name",
            "Cli Person",
            "--role",
            "agent",
            "--password",
            GOOD_PASSWORD,
        ],
    )
    assert result.exit_code == 0, result.output
    created = db.session.scalar(sa.select(User).filter_by(email="cli@example.com"))
    assert created.role == "agent"
    weak = runner.invoke(
        cli_main,
        [
            "users",
            "create",
            "--email",
            "weak@example.com",
            "--name",
            "Weak",
            "--role",
            "agent",
            "--password",
            "password",
        ],
    )
    assert weak.exit_code != 0
    assert "demasiado común" in weak.output  # the CLI speaks the default language
