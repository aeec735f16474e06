"""Staff pages for PDF reports: the list, the request form, the progress page, the download."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from servqual.accounts.models import Role
from servqual.extensions import db
from servqual.forms import NO_CHOICE_LABEL, options
from servqual.i18n import LANGUAGE_NAMES
from servqual.reports import jobs, operations, queries
from servqual.reports.forms import ReportForm
from servqual.reports.models import Report, ReportKind, ReportStatus
from servqual.security import roles_required
from servqual.service.models import Site

bp = Blueprint("reports", __name__, template_folder="templates", url_prefix="/reports")

ALL_STAFF = (Role.MANAGER, Role.AUDITOR, Role.AGENT)
#: Seconds between two reloads of the progress page.
REFRESH_SECONDS = 2


def _prepare(form: ReportForm) -> None:
    form.campaign_id.choices = options(
        (c.id, f"{c.wave} · {c.name}") for c in queries.customer_campaigns()
    )
    sites = db.session.scalars(sa.select(Site).order_by(Site.name))
    form.site_id.choices = options(
        [("", NO_CHOICE_LABEL)] + [(s.id, s.name) for s in sites if current_user.can_see_site(s.id)]
    )
    if not form.is_submitted():
        latest = queries.latest_campaign()
        form.campaign_id.data = latest.id if latest else None
        form.language.data = str(current_user.locale or "es")[:2]
        form.kind.data = ReportKind.EXECUTIVE if current_user.site_ids is None else ReportKind.SITE


def _report_for_user(report_id: int) -> Report:
    report = db.get_or_404(Report, report_id)
    if not queries.may_see(current_user, report):
        abort(403)
    return report


@bp.route("/")
@roles_required(*ALL_STAFF)
def reports():
    """List the reports the user may read, with their parameters and status."""
    return render_template(
        "reports/list.html",
        reports=queries.visible_reports(current_user),
        may_request=current_user.has_role(*queries.REQUESTERS),
        languages=LANGUAGE_NAMES,
        progress_label=operations.progress_label,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*queries.REQUESTERS)
def report_new():
    """Ask for a report; it is written in the background (or at once without Redis)."""
    form = ReportForm()
    _prepare(form)
    if form.validate_on_submit():
        kind, site_id = form.kind.data, form.site_id.data
        if not queries.may_request(current_user, kind, site_id):
            form.site_id.errors.append(
                _("You may ask only for reports on one of your sites.")
                if current_user.site_ids is not None
                else _("Choose a site for a site report, and none for the executive report.")
            )
        else:
            try:
                report = operations.request_report(
                    kind,
                    queries.campaign(form.campaign_id.data),
                    db.session.get(Site, site_id) if site_id else None,
                    form.language.data,
                    current_user,
                )
            except operations.ReportError as refused:
                db.session.rollback()
                form.kind.errors.append(str(refused))
            else:
                db.session.commit()
                jobs.submit(report)
                flash(_("Your report is being written."), "success")
                return redirect(url_for(".report_status", report_id=report.id))
    return render_template("reports/new.html", form=form), 400 if form.errors else 200


@bp.route("/<int:report_id>")
@roles_required(*ALL_STAFF)
def report_status(report_id: int):
    """Show a report's parameters and progress; reload until it is finished."""
    report = _report_for_user(report_id)
    page = render_template(
        "reports/status.html",
        report=report,
        languages=LANGUAGE_NAMES,
        progress_label=operations.progress_label,
    )
    # The Refresh header reloads the page without any script (the CSP allows no inline one).
    headers = {} if report.is_finished else {"Refresh": str(REFRESH_SECONDS)}
    return page, 200, headers


@bp.route("/<int:report_id>/download")
@roles_required(*ALL_STAFF)
def report_download(report_id: int):
    """Send a finished report's PDF."""
    report = _report_for_user(report_id)
    if report.status != ReportStatus.DONE or not report.file_path:
        abort(404)
    path = operations.report_path(report).resolve()
    if not path.is_relative_to(operations.reports_folder().resolve()) or not path.is_file():
        abort(404)
    name = secure_filename(
        f"servqual-{report.kind}-{report.campaign.wave}-{report.language}-{report.id}.pdf"
    )
    # Read whole (a report is a few MB at most): no file handle outlives the request.
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=name,
    )
