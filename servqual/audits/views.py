"""Managers' audit pages: programmes, scheduling and assignment, and the review of visits."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from servqual.accounts.models import Role, User
from servqual.audits import operations, review
from servqual.audits.checklists import checklist_of
from servqual.audits.flags import auditor_deviations, visit_compliance, visit_flags
from servqual.audits.forms import (
    AssignForm,
    EditAnswerForm,
    ProgrammeForm,
    ReviewForm,
    VisitForm,
    parse_channel_mix,
)
from servqual.audits.models import AuditProgramme, ProgrammeStatus, Visit
from servqual.audits.operations import AuditRefused, ProgrammeInput
from servqual.audits.queries import (
    answers_by_code,
    edits_of,
    programmes_for,
    submitted_visits,
    visits_of_programme,
)
from servqual.audits.visits import visit_questions
from servqual.extensions import db
from servqual.forms import ConfirmForm, options
from servqual.instruments.models import Instrument, InstrumentVersion
from servqual.security import abort_unless_site, roles_required
from servqual.service.models import Channel, Site, Touchpoint

bp = Blueprint("audits", __name__, template_folder="templates", url_prefix="/audits")

STAFF = (Role.MANAGER,)


def _programme(programme_id: int) -> AuditProgramme:
    programme = db.get_or_404(AuditProgramme, programme_id)
    allowed = current_user.site_ids
    if allowed is not None and not any(site.id in allowed for site in programme.sites):
        abort(403)
    return programme


def _visit(visit_id: int) -> Visit:
    visit = db.get_or_404(Visit, visit_id)
    abort_unless_site(visit.site_id)
    return visit


def _lang() -> str:
    return "en" if str(get_locale() or "es").startswith("en") else "es"


@bp.route("/")
@roles_required(*STAFF)
def index():
    """List programmes and the visits waiting for review."""
    return render_template(
        "audits/index.html",
        programmes=programmes_for(current_user),
        waiting=submitted_visits(current_user),
    )


def _prepare(form: ProgrammeForm) -> None:
    rows = db.session.execute(
        sa.select(InstrumentVersion, Instrument.key)
        .join(Instrument)
        .where(Instrument.kind == "checklist")
        .order_by(Instrument.key, InstrumentVersion.number.desc())
    )
    form.instrument_version_id.choices = options((v.id, f"{key} v{v.number}") for v, key in rows)
    allowed = current_user.site_ids
    form.sites.choices = options(
        (s.id, s.name)
        for s in db.session.scalars(sa.select(Site).where(Site.is_active).order_by(Site.name))
        if allowed is None or s.id in allowed
    )
    form.touchpoints.choices = options(
        (t.id, f"{t.cycle.name} › {t.name} ({t.channel.name})")
        for t in db.session.scalars(
            sa.select(Touchpoint).order_by(Touchpoint.cycle_id, Touchpoint.position)
        )
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def programme_new():
    """Create a programme and schedule its visits from the quota."""
    form = ProgrammeForm()
    _prepare(form)
    if form.validate_on_submit():
        codes = parse_channel_mix(form.channel_mix.data)
        channels = {
            c.code.upper(): c
            for c in db.session.scalars(sa.select(Channel).where(Channel.code.in_(list(codes))))
        }
        unknown = [code for code in codes if code not in channels]
        if unknown:
            form.channel_mix.errors.append(
                _("Unknown channel code: %(codes)s", codes=", ".join(unknown))
            )
        else:
            data = ProgrammeInput(
                name=form.name.data,
                version=db.session.get(InstrumentVersion, form.instrument_version_id.data),
                sites=list(db.session.scalars(sa.select(Site).where(Site.id.in_(form.sites.data)))),
                touchpoints=list(
                    db.session.scalars(
                        sa.select(Touchpoint).where(Touchpoint.id.in_(form.touchpoints.data))
                    )
                ),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                visits_per_site_month=form.visits_per_site_month.data,
                channel_mix={channels[code].id: share for code, share in codes.items()},
                keeps_location=form.keeps_location.data,
            )
            try:
                programme = operations.create_programme(data, current_user)
                added = operations.schedule_visits(programme)
            except AuditRefused as refused:
                db.session.rollback()
                form.instrument_version_id.errors.append(str(refused))
            else:
                db.session.commit()
                flash(_("Programme created with %(n)d visits scheduled.", n=added), "success")
                return redirect(url_for(".programme", programme_id=programme.id))
    return render_template("audits/programme_form.html", form=form), (400 if form.errors else 200)


def _visit_form(programme: AuditProgramme) -> VisitForm:
    form = VisitForm(prefix="visit")
    form.site_id.choices = options((s.id, s.name) for s in programme.sites)
    form.touchpoint_id.choices = options(
        [("", _("Every touchpoint of the channel"))]
        + [(t.id, t.name) for t in programme.touchpoints]
    )
    return form


def _auditor_choices() -> list:
    return options(
        (u.id, u.name)
        for u in db.session.scalars(
            sa.select(User).where(User.role == Role.AUDITOR, User.is_enabled).order_by(User.name)
        )
    )


@bp.route("/programmes/<int:programme_id>")
@roles_required(*STAFF)
def programme(programme_id: int):
    """Show a programme: its visits, who makes them, and auditors who stand out."""
    return programme_page(_programme(programme_id))


@bp.route("/programmes/<int:programme_id>/schedule", methods=["POST"])
@roles_required(*STAFF)
def programme_schedule(programme_id: int):
    """Add the visits the quota still asks for."""
    programme = _programme(programme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    added = operations.schedule_visits(programme)
    db.session.commit()
    flash(_("%(n)d visits added.", n=added), "success")
    return redirect(url_for(".programme", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/status", methods=["POST"])
@roles_required(*STAFF)
def programme_status(programme_id: int):
    """Close or reopen a programme."""
    programme = _programme(programme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("status", "")
    if wanted not in (ProgrammeStatus.ACTIVE, ProgrammeStatus.CLOSED):
        abort(400)
    operations.set_programme_status(programme, ProgrammeStatus(wanted))
    db.session.commit()
    flash(_("Programme %(status)s.", status=ProgrammeStatus(wanted).label.lower()), "success")
    return redirect(url_for(".programme", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/visits", methods=["POST"])
@roles_required(*STAFF)
def visit_add(programme_id: int):
    """Schedule one visit by hand."""
    programme = _programme(programme_id)
    form = _visit_form(programme)
    # Ids outside the programme are refused by the operation with a reason, not as "not a choice".
    form.site_id.choices = options((s.id, s.name) for s in db.session.scalars(sa.select(Site)))
    form.touchpoint_id.choices = options(
        [("", "")] + [(t.id, t.name) for t in db.session.scalars(sa.select(Touchpoint))]
    )
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".programme", programme_id=programme.id)), 303
    site = db.session.get(Site, form.site_id.data)
    abort_unless_site(site.id)
    touchpoint = (
        db.session.get(Touchpoint, form.touchpoint_id.data) if form.touchpoint_id.data else None
    )
    try:
        visit = operations.add_visit(programme, site, form.scheduled_on.data, touchpoint)
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return programme_page(programme), 409
    db.session.commit()
    flash(_("Visit #%(id)d scheduled.", id=visit.id), "success")
    return redirect(url_for(".programme", programme_id=programme.id))


def programme_page(programme: AuditProgramme) -> str:
    """Render the programme page."""
    assign = AssignForm()
    assign.auditor_id.choices = _auditor_choices()
    return render_template(
        "audits/programme.html",
        programme=programme,
        checklist=checklist_of(programme.instrument_version),
        visits=visits_of_programme(programme, current_user),
        visit_form=_visit_form(programme),
        assign=assign,
        confirm=ConfirmForm(),
        deviations=auditor_deviations(programme),
        lang=_lang(),
    )


@bp.route("/visits/<int:visit_id>/assign", methods=["POST"])
@roles_required(*STAFF)
def visit_assign(visit_id: int):
    """Assign a visit to an auditor, or say why not."""
    visit = _visit(visit_id)
    form = AssignForm()
    form.auditor_id.choices = _auditor_choices()
    if not form.validate_on_submit():
        abort(400)
    auditor = db.session.get(User, form.auditor_id.data)
    try:
        operations.assign_visit(visit, auditor, current_user)
    except AuditRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return programme_page(visit.programme), 409
    db.session.commit()
    flash(_("Visit #%(id)d assigned to %(name)s.", id=visit.id, name=auditor.name), "success")
    return redirect(url_for(".programme", programme_id=visit.programme_id))


def _review_page(visit: Visit, form: ReviewForm | None = None, edit: EditAnswerForm | None = None):
    lang = _lang()
    questions = visit_questions(visit)
    if edit is None:
        edit = EditAnswerForm(prefix="edit")
    edit.question_code.choices = options((q.code, q.label(lang)) for q in questions)
    return render_template(
        "audits/review.html",
        visit=visit,
        checklist=checklist_of(visit.programme.instrument_version),
        questions=questions,
        answers=answers_by_code(visit),
        flags=visit_flags(visit),
        edits=edits_of(visit),
        compliance=visit_compliance(visit),
        form=form or ReviewForm(),
        edit=edit,
        lang=lang,
    )


@bp.route("/visits/<int:visit_id>")
@roles_required(*STAFF)
def review_page(visit_id: int):
    """Show a visit with its answers, photos, flags and (when submitted) the review form."""
    return _review_page(_visit(visit_id))


@bp.route("/visits/<int:visit_id>/review", methods=["POST"])
@roles_required(*STAFF)
def review_decide(visit_id: int):
    """Approve, return or reject a submitted visit."""
    visit = _visit(visit_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _review_page(visit, form), 400
    try:
        review.review_visit(visit, current_user, form.decision.data, form.comment.data)
    except AuditRefused as refused:
        db.session.rollback()
        form.comment.errors = [*form.comment.errors, str(refused)]
        return _review_page(visit, form), 409
    db.session.commit()
    flash(
        _("Visit #%(id)d: %(status)s.", id=visit.id, status=visit.status_enum.label.lower()),
        "success",
    )
    return redirect(url_for(".index"))


@bp.route("/visits/<int:visit_id>/edit", methods=["POST"])
@roles_required(*STAFF)
def answer_edit(visit_id: int):
    """Correct an answer of a submitted visit; the change is logged."""
    visit = _visit(visit_id)
    edit = EditAnswerForm(prefix="edit")
    edit.question_code.choices = options((q.code, q.code) for q in visit_questions(visit))
    if not edit.validate_on_submit():
        return _review_page(visit, edit=edit), 400
    try:
        review.edit_answer(
            visit, current_user, edit.question_code.data, edit.value.data, edit.reason.data
        )
    except AuditRefused as refused:
        db.session.rollback()
        edit.value.errors = [*edit.value.errors, str(refused)]
        return _review_page(visit, edit=edit), 409
    db.session.commit()
    flash(_("Answer changed; the change is logged."), "success")
    return redirect(url_for(".review_page", visit_id=visit.id))
