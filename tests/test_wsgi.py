"""The application as gunicorn serves it (``servqual.wsgi``)."""

from __future__ import annotations

import gc

from servqual.wsgi import server_app


def test_the_served_app_has_done_its_one_time_work_before_the_first_request(tmp_path):
    """Templates are compiled, and a full collection does not walk the imports' objects.

    Walking them took a third of a second per collection on the benchmark machine, and the
    request that triggered it (and those queued behind it) waited that long.
    """
    try:
        app = server_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
                "SECRET_KEY": "test-secret-key",
                "INSTANCE_PATH": str(tmp_path / "instance"),
            }
        )
        # Every template is compiled before the first request.
        assert len(app.jinja_env.cache) == len(app.jinja_env.list_templates())
        # The application and what start-up built are in the permanent generation, which
        # no collection visits: the collector tracks almost nothing else.
        tracked = gc.get_objects()
        assert all(obj is not app for obj in tracked)
        assert len(tracked) < gc.get_freeze_count() / 100
        del tracked
        answer = app.test_client().get("/s/thanks", headers={"Accept-Language": "en"})
        assert answer.status_code == 200
        assert b"Thank you" in answer.data
    finally:
        gc.unfreeze()
