"""Writes for stored reports: ask for one, record its progress, store its file (flush only)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.reports import documents
from servqual.reports.models import REPORT_LANGUAGES, Report, ReportKind, ReportStatus
from servqual.service.models import Site
from servqual.surveys.models import Campaign

#: Folder of the report files, inside the instance folder (never served as static).
REPORTS_FOLDER = "reports"

#: The steps a report goes through, with the progress reached when each one starts.
PROGRESS_STEPS = {
    "queued": (0, _l("Waiting for a free worker")),
    "statistics": (10, _l("Computing the statistics")),
    "charts": (40, _l("Drawing the charts")),
    "rendering": (60, _l("Laying out the pages")),
    "done": (100, _l("Ready")),
    "failed": (100, _l("Failed")),
}


class ReportError(ValueError):
    """A report request refused; the message is meant for the user."""


def progress_label(step: str) -> str:
    """Return the translated description of a progress step."""
    return str(PROGRESS_STEPS.get(step, (0, step))[1])


def check_request(kind: str, campaign: Campaign | None, site: Site | None, language: str) -> None:
    """Raise ``ReportError`` when the parameters cannot make a report."""
    if kind not in set(ReportKind):
        raise ReportError(_("Unknown kind of report: %(kind)s.", kind=kind))
    if language not in REPORT_LANGUAGES:
        raise ReportError(_("Reports are written in Spanish (es) or English (en)."))
    if campaign is None:
        raise ReportError(_("There is no campaign to report on."))
    if kind == ReportKind.SITE and site is None:
        raise ReportError(_("A site report needs a site."))
    if kind == ReportKind.EXECUTIVE and site is not None:
        raise ReportError(_("The executive report covers every site; choose a site report."))
    if site is not None and campaign.sites and site not in campaign.sites:
        raise ReportError(
            _(
                "The campaign %(campaign)s does not cover %(site)s.",
                campaign=campaign.name,
                site=site.name,
            )
        )


def request_report(
    kind: str,
    campaign: Campaign | None,
    site: Site | None,
    language: str,
    requested_by: User | None,
    parameters: dict[str, Any] | None = None,
) -> Report:
    """Record a queued report after checking its parameters."""
    check_request(kind, campaign, site, language)
    report = Report(
        kind=kind,
        campaign=campaign,
        site=site,
        language=language,
        parameters={
            "campaign": campaign.name,
            "wave": campaign.wave,
            "site": site.name if site else None,
            **(parameters or {}),
        },
        status=ReportStatus.QUEUED,
        progress=0,
        progress_message="queued",
        requested_by=requested_by,
    )
    db.session.add(report)
    db.session.flush()
    return report


def set_progress(report: Report, step: str) -> None:
    """Move the report to ``step`` (one of ``PROGRESS_STEPS``)."""
    report.progress = PROGRESS_STEPS[step][0]
    report.progress_message = step
    if step not in ("queued", "done", "failed"):
        report.status = ReportStatus.RUNNING
        report.started_at = report.started_at or utcnow()
    db.session.flush()


def reports_folder() -> Path:
    """Return the folder of the stored report files."""
    return Path(current_app.instance_path) / REPORTS_FOLDER


def report_path(report: Report) -> Path:
    """Return the absolute path of a report's stored file."""
    return Path(current_app.instance_path) / report.file_path


def generate(report: Report, on_step: Callable[[str], None]) -> documents.BuiltReport:
    """Write the report's PDF into the instance folder and record its size and pages.

    ``on_step`` is called with each step name as it starts (and may commit).
    """
    built = documents.build(
        report.kind, report.campaign, report.site, report.language, on_step=on_step
    )
    folder = reports_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{report.id}-{secrets.token_hex(8)}.pdf"
    (folder / name).write_bytes(built.pdf.data)
    report.file_path = f"{REPORTS_FOLDER}/{name}"
    report.size_bytes = len(built.pdf.data)
    report.page_count = built.pdf.pages
    report.status = ReportStatus.DONE
    report.progress = 100
    report.progress_message = "done"
    report.error = None
    report.finished_at = utcnow()
    db.session.flush()
    return built


def mark_failed(report: Report, message: str) -> None:
    """Record that generation failed, with a message for the reader."""
    report.status = ReportStatus.FAILED
    report.progress_message = "failed"
    report.error = message[:2000]
    report.finished_at = utcnow()
    db.session.flush()
