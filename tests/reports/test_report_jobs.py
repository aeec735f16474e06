"""Writing a stored report: inline without Redis, on an RQ queue with it; progress; failures."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from flask_babel import force_locale
from redis import Redis
from rq import Queue, SimpleWorker

from servqual.reports import documents, jobs, operations
from servqual.reports.models import Report
from tests import factories

REDIS_URL = "redis://127.0.0.1:6379/15"


def _queued(campaign, kind="executive", site=None, language="en") -> Report:
    return operations.request_report(kind, campaign, site, language, requested_by=None)


def test_inline_job_moves_through_the_steps_and_stores_the_file(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    campaign = factories.campaign()
    report = _queued(campaign)
    db.session.commit()
    seen = []
    record = operations.set_progress

    def spy(target, step):
        record(target, step)
        seen.append((step, target.status, target.progress))

    monkeypatch.setattr(operations, "set_progress", spy)

    assert jobs.submit(report) is None

    assert seen == [
        ("statistics", "running", 10),
        ("charts", "running", 40),
        ("rendering", "running", 60),
    ]
    db.session.refresh(report)
    assert (report.status, report.progress, report.progress_message) == ("done", 100, "done")
    assert report.started_at is not None and report.finished_at >= report.started_at
    stored = Path(app.instance_path) / report.file_path
    assert stored.read_bytes().startswith(b"%PDF")
    assert report.size_bytes == stored.stat().st_size
    assert report.page_count >= 5
    assert not stored.is_relative_to(Path(app.static_folder))


def test_a_failing_job_records_the_error(app, db, monkeypatch):
    campaign = factories.campaign()
    report = _queued(campaign, kind="staff")
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(documents, "build", broken)

    assert jobs.run_report(report.id) is False

    db.session.refresh(report)
    assert report.status == "failed"
    assert "the printer caught fire" in report.error
    assert report.file_path is None and report.finished_at is not None
    assert jobs.run_report(report.id) is False  # a finished report is not written twice


def test_with_redis_the_report_waits_on_the_queue_for_a_worker(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(f"reports-test-{secrets.token_hex(4)}", connection=connection)
    monkeypatch.setattr(jobs, "queue", lambda url: queue)
    campaign = factories.campaign()
    report = _queued(campaign, kind="staff")
    db.session.commit()

    try:
        job_id = jobs.submit(report)

        db.session.refresh(report)
        assert (report.status, report.progress) == ("queued", 0)
        job = queue.fetch_job(job_id)
        assert job.func_name == "servqual.reports.worker.run_job"
        assert job.args == (report.id,)
        SimpleWorker([queue], connection=connection).work(burst=True)
        db.session.refresh(report)
        assert report.status == "done"
        assert queue.fetch_job(job_id).return_value() is True
    finally:
        queue.delete(delete_jobs=True)
        connection.close()


@pytest.mark.parametrize(
    ("kind", "with_site", "message"),
    [("site", False, "needs a site"), ("executive", True, "covers every site")],
)
def test_report_parameters_are_checked(db, kind, with_site, message):
    campaign = factories.campaign()
    site = campaign.sites[0] if with_site else None
    with force_locale("en"), pytest.raises(operations.ReportError, match=message):
        _queued(campaign, kind=kind, site=site)
