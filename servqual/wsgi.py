"""The application as a long-running server process serves it.

gunicorn (or any WSGI server) loads it with ``gunicorn 'servqual.wsgi:server_app()'``;
``servqual serve`` and ``servqual demo`` use the same function.
"""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask

from servqual import create_app


def server_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Create the application and move everything built so far out of the collector's way.

    Importing the application (Flask, SQLAlchemy, scipy, matplotlib, WeasyPrint …) leaves
    some 300,000 objects that live as long as the process. A full garbage collection walks
    all of them (about a third of a second on a two-core machine), and the request that
    happens to trigger it waits that long, with every request queued behind it on that
    worker. ``gc.freeze()`` puts them in the permanent generation, which no collection
    visits; what requests allocate afterwards is collected as usual.
    """
    app = create_app(overrides)
    gc.freeze()
    return app
