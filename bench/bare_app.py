"""The baseline for ``bench/submit.py``: bare Flask + Flask-SQLAlchemy, one insert per request.

``POST /hits`` inserts one row into ``bench_bare_hits`` and commits; ``GET /`` answers
without touching the database (the bench polls it to know the server is up). Nothing else:
no CSRF, no sessions, no templates, no rate limits. Served by gunicorn with the same worker
count as servqual, it is the ceiling the real respondent flow is compared against.

The database comes from ``BENCH_BARE_DATABASE_URL``; the bench creates the table.
"""

from __future__ import annotations

import gc
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the bare app (its own metadata, not servqual's)."""


db = SQLAlchemy(model_class=Base)


class Hit(db.Model):
    """One row per request."""

    __tablename__ = "bench_bare_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


def create_app(database_url: str | None = None) -> Flask:
    """Create the bare application."""
    app = Flask(__name__)
    url = database_url or os.environ["BENCH_BARE_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)

    @app.get("/")
    def ready():
        return "ok"

    @app.post("/hits")
    def hit():
        db.session.add(
            Hit(payload=request.form.get("payload", "")[:200], created_at=datetime.now(UTC))
        )
        db.session.commit()
        return "created", 201

    return app


def server_app() -> Flask:
    """Create the bare application and freeze its import-time objects, as servqual's server does.

    See ``servqual.wsgi.server_app``: both servers get the same treatment, so the comparison
    stays like for like.
    """
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
