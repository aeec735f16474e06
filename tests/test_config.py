"""Configuration precedence, the generated secret key and the SQLite defaults."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa

from servqual import create_app
from servqual.config import ConfigError
from servqual.extensions import db


def test_defaults_put_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SERVQUAL_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'servqual.db'}"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "es"


def test_environment_beats_defaults_and_overrides_beat_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVQUAL_DEFAULT_LOCALE", "en")
    monkeypatch.setenv("SERVQUAL_PASSWORD_MIN_LENGTH", "16")
    monkeypatch.setenv("SERVQUAL_SESSION_COOKIE_SECURE", "yes")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"
    assert app.config["PASSWORD_MIN_LENGTH"] == 16
    assert app.config["SESSION_COOKIE_SECURE"] is True

    app = create_app({"INSTANCE_PATH": str(tmp_path), "DEFAULT_LOCALE": "es"})
    assert app.config["BABEL_DEFAULT_LOCALE"] == "es"
    assert app.config["PASSWORD_MIN_LENGTH"] == 16


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("SERVQUAL_PASSWORD_MIN_LENGTH", "twelve", "whole number"),
        ("SERVQUAL_RATELIMIT_ENABLED", "maybe", "boolean"),
        ("SERVQUAL_DEFAULT_LOCALE", "fr", "DEFAULT_LOCALE"),
    ],
)
def test_malformed_environment_fails_at_start_up(tmp_path, monkeypatch, name, value, complaint):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=complaint):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_postgresql_urls_use_psycopg_3(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql://u@db.example/servqual"}
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SERVQUAL_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = tmp_path / "other"
    assert create_app({"INSTANCE_PATH": str(other)}).config["SECRET_KEY"] != first


def test_given_secret_key_is_used_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVQUAL_SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    )
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
    with app.app_context():
        db.engine.dispose()
