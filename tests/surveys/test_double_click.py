"""Two clicks on "Send my answers" at the same moment: both thank, one response is kept.

The requests run in two threads against a real database (``empty_app``: SQLite, then
PostgreSQL), each with its own connection, as two gunicorn workers would. Before the draft
was locked, the second click failed (PostgreSQL: the draft's UPDATE matched no row;
SQLite: "database is locked") after the first had stored the response.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from servqual.extensions import db
from servqual.surveys.models import Draft, Response
from tests import factories

ITEMS = ["REL1", "REL2", "EMP1", "EMP2"]
CLOSING = {"importance-reliability": "60", "importance-empathy": "40"}
ROUNDS = 6


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _up_to_the_last_page(app, slug: str) -> str:
    client = app.test_client()
    started = client.post(f"/s/{slug}", data={"consent": "y"})
    assert started.status_code == 303
    page_one = started.headers["Location"]
    for number, form in ((1, "E"), (2, "P")):
        data = {f"{form}-{code}": "5" for code in ITEMS}
        answered = client.post(page_one[:-1] + str(number), data=data)
        assert answered.status_code == 303
    return page_one[:-1] + "3"


def _double_click(app, url: str) -> list:
    barrier = threading.Barrier(2)
    answers: list = []

    def click() -> None:
        client = app.test_client()
        barrier.wait()
        answers.append(client.post(url, data=CLOSING))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_double_click_on_send_thanks_twice_and_keeps_one_response(empty_app):
    with empty_app.app_context():
        db.create_all()
        slug = factories.campaign().links[0].slug
        db.session.commit()
    for _ in range(ROUNDS):
        url = _up_to_the_last_page(empty_app, slug)
        answers = _double_click(empty_app, url)
        assert [a.status_code for a in answers] == [303, 303]
        assert all(a.headers["Location"].endswith("/s/thanks") for a in answers)
    with empty_app.app_context():
        assert _count(Response) == ROUNDS
        assert _count(Draft) == 0
