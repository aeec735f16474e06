"""The entry point RQ workers run: a report job inside an application context."""

from __future__ import annotations

from functools import cache

from flask import Flask, has_app_context

from servqual import create_app
from servqual.reports.jobs import run_report


@cache
def _application() -> Flask:
    return create_app()


def run_job(report_id: int) -> bool:
    """Write report ``report_id`` (see :func:`servqual.reports.jobs.run_report`)."""
    if has_app_context():
        return run_report(report_id)
    with _application().app_context():
        return run_report(report_id)
