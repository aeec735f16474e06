"""Configuration: defaults, then ``SERVQUAL_*`` environment variables, then overrides.

This module is the only reader of ``os.environ`` in the application.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENV_PREFIX = "SERVQUAL_"

#: Every setting servqual understands, with its default.  The type of the default decides
#: how an environment variable is parsed (bool, int or str; ``None`` means str).
DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "REDIS_URL": None,
    "INSTRUMENTS_DIR": None,
    "PUBLIC_URL": None,
    "DEFAULT_LOCALE": "es",
    "TIMEZONE": "America/Bogota",
    "PASSWORD_MIN_LENGTH": 12,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    "PUBLIC_FORM_RATE_LIMIT": "60 per minute;600 per hour",
    "API_RATE_LIMIT": "120 per minute;3000 per hour",
    "API_MAX_BODY_KB": 64,
    "RATELIMIT_ENABLED": True,
    "SESSION_COOKIE_SECURE": False,
    "MAX_UPLOAD_MB": 16,
    "PERMANENT_SESSION_HOURS": 12,
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "servqual <no-reply@localhost>",
    "PQR_INTAKE_RATE_LIMIT": "5 per minute;30 per hour",
    "PQR_STATUS_RATE_LIMIT": "10 per minute;60 per hour",
    "PQR_ATTACHMENT_MAX_MB": 5,
    "PQR_MAX_ATTACHMENTS": 3,
    "PQR_FILING_PREFIX": "PQR",
    "PQR_POLICY_VERSION": "2026-01",
    "PQR_FOLLOW_UP_GAP": -3,
}

SUPPORTED_LOCALES = ("es", "en")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, never later."""


def _parse(name: str, raw: str, default: Any) -> Any:
    """Parse an environment string with the type of the setting's default."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name} must be a boolean (true/false), not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}") from None
    return raw


def instance_path_from_env() -> str | None:
    """Return the instance folder named by ``SERVQUAL_INSTANCE_PATH``, if any."""
    return os.environ.get(f"{ENV_PREFIX}INSTANCE_PATH") or None


def postgres_test_url() -> str | None:
    """Return ``SERVQUAL_TEST_DATABASE_URL`` (the tests' PostgreSQL server), if set."""
    return os.environ.get(f"{ENV_PREFIX}TEST_DATABASE_URL") or None


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, ``SERVQUAL_*`` environment variables and overrides, in that order."""
    settings = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        raw = os.environ.get(ENV_PREFIX + name)
        if raw is not None:
            settings[name] = _parse(name, raw, default)
    settings.update(overrides or {})
    if settings["DEFAULT_LOCALE"] not in SUPPORTED_LOCALES:
        raise ConfigError(
            f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}, "
            f"not {settings['DEFAULT_LOCALE']!r}"
        )
    return settings


def secret_key_for(instance_path: Path) -> str:
    """Read the instance's secret key, generating and storing one on first run."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="ascii").strip()
        if key:
            return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def bundled_dir(name: str) -> Path:
    """Locate a top-level data folder (instruments, migrations) in a checkout or a wheel."""
    package_dir = Path(__file__).resolve().parent
    in_checkout = package_dir.parent / name
    if in_checkout.is_dir():
        return in_checkout
    return package_dir / "_bundled" / name


def flask_config(settings: dict[str, Any], instance_path: Path) -> dict[str, Any]:
    """Translate servqual settings into the configuration keys Flask and extensions read."""
    database_url = settings["DATABASE_URL"] or f"sqlite:///{instance_path / 'servqual.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    redis_url = settings["REDIS_URL"]
    config = {
        "SECRET_KEY": settings["SECRET_KEY"] or secret_key_for(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "INSTRUMENTS_DIR": str(settings["INSTRUMENTS_DIR"] or bundled_dir("instruments")),
        "BABEL_DEFAULT_LOCALE": settings["DEFAULT_LOCALE"],
        "BABEL_DEFAULT_TIMEZONE": settings["TIMEZONE"],
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": settings["MAX_UPLOAD_MB"] * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings["SESSION_COOKIE_SECURE"],
        "PERMANENT_SESSION_LIFETIME": settings["PERMANENT_SESSION_HOURS"] * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
    }
    passthrough = {k: v for k, v in settings.items() if k not in config}
    return passthrough | config
