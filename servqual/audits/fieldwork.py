"""The auditor's pages: my visits, the claim board, the phone-first checklist, photos."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from servqual.accounts.models import Role
from servqual.audits import evidence as evidence_store
from servqual.audits import operations, visits
from servqual.audits.answers import NOT_APPLICABLE
from servqual.audits.checklists import standards_by_code
from servqual.audits.models import Evidence, Visit, VisitAnswer, VisitStatus
from servqual.audits.operations import AuditRefused
from servqual.audits.queries import answers_by_code, open_board, visits_of_auditor
from servqual.extensions import db
from servqual.forms import ConfirmForm
from servqual.security import roles_required

bp = Blueprint("fieldwork", __name__, template_folder="templates", url_prefix="/my-visits")


def _lang() -> str:
    return "en" if str(get_locale() or "es").startswith("en") else "es"


def _own_visit(visit_id: int) -> Visit:
    """Return the visit if it is the current auditor's; 404 if unknown, 403 if not theirs."""
    visit = db.get_or_404(Visit, visit_id)
    if visit.auditor_id != current_user.id:
        abort(403)
    return visit


@bp.route("/")
@roles_required(Role.AUDITOR)
def my_visits():
    """List my visits and the unassigned visits I may claim."""
    return render_template(
        "audits/my_visits.html",
        visits=visits_of_auditor(current_user),
        board=open_board(current_user),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:visit_id>/claim", methods=["POST"])
@roles_required(Role.AUDITOR)
def claim(visit_id: int):
    """Take an unassigned visit from the board."""
    visit = db.get_or_404(Visit, visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        operations.claim_visit(visit, current_user)
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for(".my_visits")), 303
    db.session.commit()
    flash(_("The visit is yours."), "success")
    return redirect(url_for(".visit_form", visit_id=visit.id))


def _raw_value(answer: VisitAnswer) -> str:
    """Return a stored answer as the form shows it."""
    if answer.is_not_applicable:
        return NOT_APPLICABLE
    if answer.value_bool is not None:
        return "yes" if answer.value_bool else "no"
    if answer.value_number is not None:
        unit = f" {answer.value_unit}" if answer.value_unit else ""
        return f"{answer.value_number:g}{unit}"
    return answer.value_text or ""


def _form_page(visit: Visit, raw: dict[str, str] | None = None, errors=None, status: int = 200):
    checklist = visits.visit_checklist(visit)
    questions = visits.visit_questions(visit, checklist)
    codes = {q.code for q in questions}
    sections = [
        (section, [q for q in section.questions if q.code in codes])
        for section in checklist.sections
    ]
    photos: dict[str | None, list[Evidence]] = {}
    for item in visit.evidence:
        photos.setdefault(item.question_code, []).append(item)
    return render_template(
        "audits/visit_form.html",
        visit=visit,
        checklist=checklist,
        sections=[s for s in sections if s[1]],
        answers=answers_by_code(visit),
        values={a.question_code: _raw_value(a) for a in visit.answers},
        standards=standards_by_code(checklist),
        photos=photos,
        raw=raw or {},
        errors=errors or {},
        lang=_lang(),
        NOT_APPLICABLE=NOT_APPLICABLE,
        max_mb=evidence_store.max_bytes() / 1024 / 1024,
    ), status


@bp.route("/<int:visit_id>")
@roles_required(Role.AUDITOR)
def visit_form(visit_id: int):
    """Show the checklist of one of my visits with the answers saved so far."""
    return _form_page(_own_visit(visit_id))


@bp.route("/<int:visit_id>/start", methods=["POST"])
@roles_required(Role.AUDITOR)
def start(visit_id: int):
    """Record the start time of the visit."""
    visit = _own_visit(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        visits.start_visit(visit, current_user)
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for(".my_visits")), 303
    db.session.commit()
    return redirect(url_for(".visit_form", visit_id=visit.id))


@bp.route("/<int:visit_id>/end", methods=["POST"])
@roles_required(Role.AUDITOR)
def end(visit_id: int):
    """Record the end time of the visit."""
    visit = _own_visit(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        visits.end_visit(visit, current_user)
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _form_page(visit, status=409)
    db.session.commit()
    flash(_("End time recorded."), "success")
    return redirect(url_for(".visit_form", visit_id=visit.id))


@bp.route("/<int:visit_id>/answer", methods=["POST"])
@roles_required(Role.AUDITOR)
def answer(visit_id: int):
    """Save one answer as the auditor goes (called by the page's script); answer in JSON."""
    visit = _own_visit(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code = request.form.get("question", "")
    try:
        if code == "_comment":
            visits.save_comment(visit, current_user, request.form.get("value", ""))
            saved = None
        else:
            saved = visits.save_answer(visit, current_user, code, request.form.get("value"))
    except AuditRefused as refused:
        db.session.rollback()
        return jsonify(ok=False, message=str(refused)), 422
    db.session.commit()
    return jsonify(ok=True, message=_("Saved"), verdict=saved.verdict if saved else None)


def _raw_answers(visit: Visit) -> dict[str, str]:
    raw = {}
    for question in visits.visit_questions(visit):
        if question.type == "photo":
            continue
        value = request.form.get(f"q-{question.code}")
        if request.form.get(f"na-{question.code}"):
            value = NOT_APPLICABLE
        if value is not None:
            raw[question.code] = value
    return raw


@bp.route("/<int:visit_id>", methods=["POST"])
@roles_required(Role.AUDITOR)
def save(visit_id: int):
    """Save the whole form (works without JavaScript), attach photos, and submit if asked."""
    visit = _own_visit(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    submitting = request.form.get("action") == "submit"
    if visit.status in (VisitStatus.SUBMITTED, VisitStatus.APPROVED, VisitStatus.REJECTED):
        message = (
            _("This visit was already submitted; nothing was changed.")
            if submitting
            else _("This visit has been submitted; it can no longer be changed.")
        )
        flash(message, "error")
        return _form_page(visit, status=409)
    raw = _raw_answers(visit)
    errors: dict[str, str] = {}
    try:
        visits.start_visit(visit, current_user)
        for code, value in raw.items():
            try:
                visits.save_answer(visit, current_user, code, value)
            except AuditRefused as refused:
                errors[code] = str(refused)
        if "comment" in request.form:
            visits.save_comment(visit, current_user, request.form["comment"])
        for name, upload in request.files.items(multi=True):
            if not upload or not upload.filename:
                continue
            code = name.removeprefix("photo-") if name.startswith("photo-") else None
            try:
                evidence_store.store_evidence(visit, current_user, upload.read(), code)
            except AuditRefused as refused:
                errors[code or "_photo"] = str(refused)
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _form_page(visit, raw, status=409)
    # Whatever was valid is kept even when other answers need correcting.
    db.session.commit()
    if errors:
        flash(_("Some answers need correcting; the others are saved."), "error")
        return _form_page(visit, raw, errors, status=422)
    if request.form.get("action") == "end":
        visits.end_visit(visit, current_user)
        db.session.commit()
    if not submitting:
        flash(_("Saved."), "success")
        return redirect(url_for(".visit_form", visit_id=visit.id))
    try:
        visits.submit_visit(visit, current_user, request.form.get("token", ""), _lang())
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _form_page(visit, status=409)
    db.session.commit()
    flash(_("Visit submitted for review. Thank you."), "success")
    return redirect(url_for(".my_visits"))


@bp.route("/photos/<int:evidence_id>")
@roles_required(Role.AUDITOR, Role.MANAGER)
def photo(evidence_id: int):
    """Send an evidence photo to its visit's auditor or a manager of its site only."""
    item = db.get_or_404(Evidence, evidence_id)
    if not evidence_store.may_see_evidence(current_user, item):
        abort(403)
    path = evidence_store.evidence_path(item)
    if not path.is_file():
        abort(404)
    # Photos are small; reading them whole leaves no open file behind the response.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=item.content_type, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.route("/<int:visit_id>/photos/<int:evidence_id>/delete", methods=["POST"])
@roles_required(Role.AUDITOR)
def photo_delete(visit_id: int, evidence_id: int):
    """Remove a photo from a visit still being filled in."""
    visit = _own_visit(visit_id)
    item = db.get_or_404(Evidence, evidence_id)
    if item.visit_id != visit.id or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        evidence_store.remove_evidence(item, current_user)
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return _form_page(visit, status=409)
    db.session.commit()
    flash(_("Photo removed."), "success")
    return redirect(url_for(".visit_form", visit_id=visit.id))
