"""The application as a long-running server process serves it.

gunicorn (or any WSGI server) loads it with ``gunicorn 'servqual.wsgi:server_app()'``;
``servqual serve`` and ``servqual demo`` use the same function.
"""

from __future__ import annotations

import gc
from typing import Any

import sqlalchemy.orm
from flask import Flask

from servqual import create_app


def server_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Create the application, do its one-time work, then freeze what it built.

    Each worker would otherwise configure the ORM mappers and compile every template on
    the first requests that need them (about 1.3 s in all on a two-core machine), so
    the first respondents after a restart waited for it; it is done here instead, without
    touching the database.

    Importing the application (Flask, SQLAlchemy, scipy, matplotlib, WeasyPrint …) leaves
    some 300,000 objects that live as long as the process. A full garbage collection walks
    all of them (about a third of a second on that machine), and the request that happens
    to trigger it waits that long, with every request queued behind it on that worker.
    ``gc.freeze()`` puts them in the permanent generation, which no collection visits;
    what requests allocate afterwards is collected as usual. One collection first, so
    that start-up's own garbage is freed rather than frozen for the life of the process.
    """
    app = create_app(overrides)
    sqlalchemy.orm.configure_mappers()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()
    return app
