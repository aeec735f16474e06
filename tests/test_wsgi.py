"""The application as gunicorn serves it (``servqual.wsgi``)."""

from __future__ import annotations

import gc

from servqual.wsgi import server_app


def test_the_served_app_has_done_its_one_time_work_before_the_first_request(tmp_path):
    """Templates are compiled, and a full collection does not walk the imports' objects.

    Walking them took a third of a second per collection on the benchmark machine, and the
    request that triggered it (and those queued behind it) waited that long.
    """
    gc.collect()
    tracked_before = len(gc.get_objects())
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
        frozen = gc.get_freeze_count()
        assert frozen >= tracked_before
        assert len(gc.get_objects()) < frozen / 10
        answer = app.test_client().get("/s/thanks", headers={"Accept-Language": "en"})
        assert answer.status_code == 200
        assert b"Thank you" in answer.data
    finally:
        gc.unfreeze()
