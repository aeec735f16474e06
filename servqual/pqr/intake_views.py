"""PQR intake: the public form, the acknowledgement, the status portal and staff registration."""

from __future__ import annotations

import io

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from servqual.accounts.models import Role
from servqual.extensions import db, limiter
from servqual.forms import NO_CHOICE_LABEL, options
from servqual.pqr import attachments, intake
from servqual.pqr.attachments import AttachmentRefused
from servqual.pqr.filing import InvalidFilingNumber
from servqual.pqr.intake import CaseInput, IntakeRefused
from servqual.pqr.intake_forms import PublicIntakeForm, StaffIntakeForm, StatusForm
from servqual.pqr.models import (
    CASE_ACTION_LABELS,
    CASE_STATUS_LABELS,
    Attachment,
    Case,
    CaseChannel,
)
from servqual.pqr.policy import policy_version
from servqual.security import abort_unless_site, never_cached, roles_required
from servqual.service.models import Site, Touchpoint
from servqual.service.queries import organisation

bp = Blueprint("pqr_intake", __name__, template_folder="templates", url_prefix="/pqr")

#: Session key holding the filing number the acknowledgement page shows.
_FILED_KEY = "pqr_filed"


def _intake_limit() -> str:
    return current_app.config["PQR_INTAKE_RATE_LIMIT"]


def _status_limit() -> str:
    return current_app.config["PQR_STATUS_RATE_LIMIT"]


def _lang() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _fill_choices(form, site_ids: set[int] | None = None) -> None:
    query = sa.select(Site).where(Site.is_active).order_by(Site.name)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    sites = db.session.scalars(query).all()
    form.site_id.choices = options([("", NO_CHOICE_LABEL)] + [(s.id, s.name) for s in sites])
    touchpoints = db.session.scalars(sa.select(Touchpoint).order_by(Touchpoint.position)).all()
    form.touchpoint_id.choices = options(
        [("", _("Not sure / other"))] + [(t.id, t.name) for t in touchpoints]
    )


def _uploads() -> list[tuple[bytes, str | None]]:
    """Read the chosen files (a browser sends an empty part when none is chosen)."""
    limit = attachments.max_bytes() + 1
    return [
        (storage.read(limit), storage.filename)
        for storage in request.files.getlist("attachments")
        if storage and storage.filename
    ]


def _input(form, channel: str, **extra) -> CaseInput:
    return CaseInput(
        request_type=form.request_type.data,
        channel=channel,
        site_id=form.site_id.data,
        touchpoint_id=form.touchpoint_id.data,
        incident_on=form.incident_on.data,
        description=form.description.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data,
        contact_phone=form.contact_phone.data,
        has_consent=bool(form.consent.data),
        locale=_lang(),
        **extra,
    )


def _file(form, data: CaseInput, user) -> Case | None:
    """File the case and commit, or put the refusal on the form (nothing written)."""
    written: list = []
    try:
        files = attachments.check_files(_uploads())
        case = intake.file_case(data, files, user, written)
        db.session.commit()
    except AttachmentRefused as refused:
        db.session.rollback()
        attachments.discard(written)
        form.attachments.errors = [*form.attachments.errors, str(refused)]
        return None
    except IntakeRefused as refused:
        db.session.rollback()
        attachments.discard(written)
        field = getattr(form, refused.field or "", None) or form.description
        field.errors = [*field.errors, str(refused)]
        return None
    except Exception:
        db.session.rollback()
        attachments.discard(written)
        raise
    # The case is safe; a mail server that is down must not undo it.
    intake.send_acknowledgement(case)
    db.session.commit()
    session[_FILED_KEY] = case.filing_number
    return case


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(_intake_limit, methods=["POST"])
def new():
    """Let a customer file a request, complaint, claim, suggestion or compliment."""
    form = PublicIntakeForm()
    _fill_choices(form)
    if request.method == "POST" and form.website.data:
        # A robot filled in the hidden field: say no, write nothing.
        return render_template(
            "pqr/new.html", form=form, refused=_("Your case could not be filed.")
        ), 400
    if form.validate_on_submit():
        case = _file(form, _input(form, CaseChannel.WEB), None)
        if case is not None:
            return redirect(url_for(".acknowledgement"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("pqr/new.html", form=form), status


@bp.route("/filed")
@never_cached
def acknowledgement():
    """Show the filing number and due date of the case just filed."""
    number = session.get(_FILED_KEY)
    case = (
        db.session.scalar(sa.select(Case).where(Case.filing_number == number)) if number else None
    )
    return render_template("pqr/acknowledgement.html", case=case)


@bp.route("/policy")
def policy():
    """Show the personal-data processing policy customers consent to."""
    return render_template("pqr/policy.html", organisation=organisation(), version=policy_version())


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(_status_limit, methods=["POST"])
@never_cached
def status():
    """Show a case's status, public history and answer for its number and e-mail."""
    form = StatusForm()
    if not form.validate_on_submit():
        return render_template("pqr/status.html", form=form), (
            400 if request.method == "POST" else 200
        )
    try:
        case = intake.find_case(form.filing_number.data, form.email.data)
    except InvalidFilingNumber as error:
        form.filing_number.errors = [*form.filing_number.errors, _filing_error(error)]
        return render_template("pqr/status.html", form=form), 400
    if case is None:
        # Same page, same code, whichever half was wrong; nothing typed is echoed back.
        blank = StatusForm(formdata=None)
        return render_template(
            "pqr/status.html",
            form=blank,
            not_found=_(
                "We found no case with this filing number and e-mail address. "
                "Check both and try again."
            ),
        ), 404
    events = [e for e in case.events if e.is_public]
    return render_template(
        "pqr/case_status.html",
        case=case,
        events=events,
        action_labels=CASE_ACTION_LABELS,
        status_labels=CASE_STATUS_LABELS,
    )


def _filing_error(error: InvalidFilingNumber) -> str:
    messages = {
        "empty": _("Enter the filing number."),
        "checksum": _("This filing number has a typo: check each character again."),
    }
    return messages.get(
        error.code,
        _("A filing number looks like %(example)s.", example="PQR-2026-7KQ4-M9XT-2HCB"),
    )


@bp.route("/register", methods=["GET", "POST"])
@roles_required(Role.MANAGER, Role.AGENT)
def register():
    """Register a case received by phone, letter, e-mail or in person."""
    form = StaffIntakeForm()
    _fill_choices(form, current_user.site_ids)
    if request.method == "POST":
        posted = request.form.get("site_id", "")
        if posted.isdigit() and not current_user.can_see_site(int(posted)):
            abort(403)
    if form.validate_on_submit():
        data = _input(
            form,
            form.channel.data,
            contact_address=form.contact_address.data,
            received_on=form.received_on.data,
        )
        case = _file(form, data, current_user)
        if case is not None:
            return redirect(url_for(".acknowledgement"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("pqr/register.html", form=form), status


@bp.route("/attachments/<int:attachment_id>")
@roles_required(Role.MANAGER, Role.AGENT)
def attachment(attachment_id: int):
    """Download a file filed with a case (staff of the case's site only)."""
    row = db.session.get(Attachment, attachment_id)
    if row is None:
        abort(404)
    abort_unless_site(row.case.site_id)
    path = attachments.attachment_path(row)
    if not path.is_file():
        abort(404)
    # Read whole (at most a few MB) so no file handle outlives the request.
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.original_name,
    )
