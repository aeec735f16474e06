"""Report generation as a background job: RQ on Redis when configured, inline otherwise.

``submit`` is called after the report row is committed. With ``SERVQUAL_REDIS_URL`` set
it puts :func:`servqual.reports.worker.run_job` on the ``reports`` queue (run a worker
with ``rq worker reports``);
without it the report is written at once, in the caller's process. Either way
:func:`run_report` is the job's boundary: it commits after each step so that the status
page shows the progress, and records a failure instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from redis import Redis
from rq import Queue

from servqual.extensions import db
from servqual.reports import operations
from servqual.reports.models import Report, ReportStatus

QUEUE_NAME = "reports"
#: Named, not imported: the worker module imports the application factory.
JOB_FUNCTION = "servqual.reports.worker.run_job"
#: A report of 50,000 responses takes seconds; anything past this is stuck.
JOB_TIMEOUT_SECONDS = 600


def queue(url: str) -> Queue:
    """Return the reports queue on the Redis server at ``url``."""
    return Queue(QUEUE_NAME, connection=Redis.from_url(url))


def submit(report: Report) -> str | None:
    """Start writing ``report``: enqueue it (returning the job id) or run it inline."""
    url = current_app.config.get("REDIS_URL")
    if url:
        job = queue(url).enqueue(
            JOB_FUNCTION, report.id, job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=3600
        )
        return job.id
    run_report(report.id)
    return None


def run_report(report_id: int, on_step: Callable[[str], None] | None = None) -> bool:
    """Write one queued report, committing its progress; return whether it succeeded.

    ``on_step`` (the demo's progress lines) is called with each step name after it is saved.
    """
    report = db.session.get(Report, report_id)
    if report is None or report.status != ReportStatus.QUEUED:
        return False

    def step(name: str) -> None:
        operations.set_progress(report, name)
        db.session.commit()
        if on_step is not None:
            on_step(name)

    try:
        operations.generate(report, on_step=step)
        db.session.commit()
    except Exception as error:
        current_app.logger.exception("report %s failed", report_id)
        db.session.rollback()
        report = db.session.get(Report, report_id)
        operations.mark_failed(report, f"{type(error).__name__}: {error}")
        db.session.commit()
        return False
    return True
