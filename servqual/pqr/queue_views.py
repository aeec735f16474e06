"""Agents' and managers' case pages: the queue, one case, and the work done on it.

Every route checks the role (agents and managers, administrators) and the case's site
against the user's sites. The satisfaction question is the one public route (a token).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from servqual.accounts.models import Role, User
from servqual.extensions import db, limiter
from servqual.forms import options
from servqual.pqr import case_mail, casework
from servqual.pqr import satisfaction as survey
from servqual.pqr.answer_templates import TemplatesInvalid, parse_templates
from servqual.pqr.case_page import (
    RULES_FILE,
    TEMPLATES_FILE,
    assign_form,
    case_page,
    classify_form,
    settings_path,
    status_form_for,
    suggestion,
)
from servqual.pqr.casework import CaseRefused
from servqual.pqr.casework_forms import (
    AnswerForm,
    ExtendForm,
    NoteForm,
    PauseForm,
    QueueFilterForm,
    ResumeForm,
    SatisfactionForm,
    SettingsForm,
)
from servqual.pqr.classify import RulesInvalid, parse_rules
from servqual.pqr.models import Case, CaseStatus, RequestType
from servqual.pqr.queue import QueueFilter, queue
from servqual.security import abort_unless_site, roles_required
from servqual.service.models import Pillar, Site, Touchpoint

bp = Blueprint("pqr_cases", __name__, template_folder="templates", url_prefix="/pqr/cases")

STAFF = (Role.AGENT, Role.MANAGER)


def _case(case_id: int) -> Case:
    case = db.get_or_404(Case, case_id)
    abort_unless_site(case.site_id)
    return case


def _page_url(number: int) -> str:
    """The queue's address for another page, with the same filters."""
    args = request.args.to_dict()
    args["page"] = number
    return url_for(".queue_page", **args)


@bp.route("/")
@roles_required(*STAFF)
def queue_page():
    """List the cases of the user's sites, filtered, by due date."""
    form = QueueFilterForm(request.args)
    form.status.choices = options(
        [("", _("Any status")), ("open", _("Open"))] + [(s.value, s.label) for s in CaseStatus]
    )
    form.request_type.choices = options(
        [("", _("Any type"))] + [(t.value, t.label) for t in RequestType]
    )
    allowed = current_user.site_ids
    form.site_id.choices = options(
        [("", _("Every site"))]
        + [
            (s.id, s.name)
            for s in db.session.scalars(sa.select(Site).order_by(Site.name))
            if allowed is None or s.id in allowed
        ]
    )
    form.assigned.choices = options([("", _("Anybody")), ("me", _("Me")), ("nobody", _("Nobody"))])
    if not form.validate():
        return render_template(
            "pqr_cases/queue.html", form=form, cases=None, today=casework.today()
        ), 400
    if form.site_id.data is not None:
        abort_unless_site(form.site_id.data)
    wanted = QueueFilter(
        status=form.status.data or None,
        request_type=form.request_type.data or None,
        site_id=form.site_id.data,
        assigned=form.assigned.data or None,
        overdue=form.overdue.data,
        due_soon=form.due_soon.data,
        newest_first=form.sort.data == "-due",
    )
    today = casework.today()
    country = casework.deadline_clock().policy.country
    cases = queue(current_user, wanted, today, country, request.args.get("page", 1, type=int))
    return render_template(
        "pqr_cases/queue.html",
        form=form,
        cases=cases,
        page_url=_page_url,
        today=today,
    )


@bp.route("/<int:case_id>")
@roles_required(*STAFF)
def case(case_id: int):
    """Show one case: details, deadline, suggestion, history, notes and the work forms."""
    return case_page(_case(case_id))


def _refused(case: Case, refused: CaseRefused, code: int = 409, **forms):
    db.session.rollback()
    flash(str(refused), "error")
    return case_page(db.session.get(Case, case.id), code, **forms)


def _done(case: Case, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".case", case_id=case.id))


@bp.route("/<int:case_id>/assign", methods=["POST"])
@roles_required(*STAFF)
def assign(case_id: int):
    """Assign the case to an agent or manager of its site."""
    case = _case(case_id)
    form = assign_form(case)
    if not form.validate_on_submit():
        return case_page(case, 400, assign=form)
    agent = db.session.get(User, form.agent_id.data) if form.agent_id.data else None
    try:
        casework.assign(case, agent, current_user)
    except CaseRefused as refused:
        return _refused(case, refused, assign=form)
    return _done(case, _("Assignment saved."))


@bp.route("/<int:case_id>/status", methods=["POST"])
@roles_required(*STAFF)
def status(case_id: int):
    """Move the case to another status; closing sends the satisfaction question."""
    case = _case(case_id)
    form = status_form_for(case)
    if not form.validate_on_submit():
        return case_page(case, 400, status_form=form)
    try:
        casework.change_status(case, form.status.data, current_user, form.comment.data or None)
    except CaseRefused as refused:
        return _refused(case, refused, 400, status_form=form)
    db.session.commit()
    if case.status == CaseStatus.CLOSED:
        errors = survey.invite(case)
        db.session.commit()
        if errors:
            flash(
                _("The satisfaction question could not be e-mailed: %(e)s", e="; ".join(errors)),
                "error",
            )
    flash(_("Status changed to “%(s)s”.", s=case.status_enum.label), "success")
    return redirect(url_for(".case", case_id=case.id))


@bp.route("/<int:case_id>/pause", methods=["POST"])
@roles_required(*STAFF)
def pause(case_id: int):
    """Ask the customer for information (e-mailed): the clock stops today."""
    case = _case(case_id)
    form = PauseForm(prefix="pause")
    if not form.validate_on_submit():
        return case_page(case, 400, pause=form)
    try:
        casework.ask_customer(case, current_user, form.question.data, casework.today())
    except CaseRefused as refused:
        return _refused(case, refused, pause=form)
    if case.contact_email:
        errors = case_mail.deliver([case_mail.information_request(case, form.question.data)])
        if errors:
            return _refused(
                case,
                CaseRefused(
                    _(
                        "The e-mail to the customer could not be sent; nothing was recorded: %(e)s",
                        e="; ".join(errors),
                    )
                ),
                503,
                pause=form,
            )
    return _done(case, _("The customer was asked for information; the clock is stopped."))


@bp.route("/<int:case_id>/resume", methods=["POST"])
@roles_required(*STAFF)
def resume(case_id: int):
    """Record the day the customer's information arrived: the clock runs again."""
    case = _case(case_id)
    form = ResumeForm(prefix="resume")
    if not form.validate_on_submit():
        return case_page(case, 400, resume=form)
    if form.received_on.data > casework.today():
        form.received_on.errors.append(_("The date cannot be in the future."))
        return case_page(case, 400, resume=form)
    try:
        casework.information_received(case, current_user, form.received_on.data)
    except CaseRefused as refused:
        return _refused(case, refused, resume=form)
    return _done(case, _("Information received; the due date is now %(d)s.", d=case.due_on))


@bp.route("/<int:case_id>/extend", methods=["POST"])
@roles_required(*STAFF)
def extend(case_id: int):
    """Extend the term once: the customer is e-mailed the reason and the new date first."""
    case = _case(case_id)
    form = ExtendForm(prefix="extend")
    if not form.validate_on_submit():
        return case_page(case, 400, extend=form)
    today = casework.today()
    try:
        casework.check_extension(case, today, form.new_due_on.data, form.reason.data)
    except CaseRefused as refused:
        return _refused(case, refused, 400, extend=form)
    if case.contact_email:
        errors = case_mail.deliver(
            [case_mail.extension_notice(case, form.new_due_on.data, form.reason.data.strip())]
        )
        if errors:
            refused = CaseRefused(
                _(
                    "The customer could not be notified, so the term was not extended: %(e)s",
                    e="; ".join(errors),
                )
            )
            return _refused(case, refused, 503, extend=form)
    try:
        casework.extend(case, current_user, today, form.new_due_on.data, form.reason.data)
    except CaseRefused as refused:
        return _refused(case, refused, 400, extend=form)
    if not case.contact_email:
        flash(_("The customer has no e-mail address: tell them by phone or letter."), "error")
        return _done(case, _("Term extended to %(d)s.", d=case.due_on))
    return _done(case, _("Term extended to %(d)s; the customer was notified.", d=case.due_on))


@bp.route("/<int:case_id>/answer", methods=["POST"])
@roles_required(*STAFF)
def answer(case_id: int):
    """Record the answer and e-mail it to the customer."""
    case = _case(case_id)
    form = AnswerForm(prefix="answer")
    if not form.validate_on_submit():
        return case_page(case, 400, answer=form)
    try:
        casework.write_answer(case, current_user, form.text.data)
    except CaseRefused as refused:
        return _refused(case, refused, answer=form)
    if case.contact_email:
        errors = case_mail.deliver([case_mail.answer_mail(case)])
        if errors:
            refused = CaseRefused(
                _(
                    "The answer could not be e-mailed; nothing was recorded: %(e)s",
                    e="; ".join(errors),
                )
            )
            return _refused(case, refused, 503, answer=form)
    return _done(case, _("Answer sent."))


@bp.route("/<int:case_id>/notes", methods=["POST"])
@roles_required(*STAFF)
def note(case_id: int):
    """Add an internal note."""
    case = _case(case_id)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return case_page(case, 400, note=form)
    try:
        casework.add_note(case, current_user, form.body.data)
    except CaseRefused as refused:
        return _refused(case, refused, note=form)
    return _done(case, _("Note added."))


@bp.route("/<int:case_id>/classify", methods=["POST"])
@roles_required(*STAFF)
def classify(case_id: int):
    """Record the classification a person confirmed (and what the rules suggested)."""
    case = _case(case_id)
    form = classify_form(case)
    if not form.validate_on_submit():
        return case_page(case, 400, classify=form)
    found, pillar, _touchpoint = suggestion(case)
    try:
        casework.classify(
            case,
            current_user,
            form.dimension.data or None,
            db.session.get(Pillar, form.pillar_id.data) if form.pillar_id.data else None,
            db.session.get(Touchpoint, form.touchpoint_id.data)
            if form.touchpoint_id.data
            else None,
            suggested=(found.dimension.code if found.dimension else None, pillar),
        )
    except CaseRefused as refused:
        return _refused(case, refused, classify=form)
    return _done(case, _("Classification confirmed."))


def _public_limit() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


@bp.route("/satisfaction/<satisfaction_token>", methods=["GET", "POST"])
@limiter.limit(_public_limit)
def satisfaction(satisfaction_token: str):
    """The customer's one satisfaction question (public, by the e-mailed link)."""
    case = survey.case_for_token(satisfaction_token)
    if case is None:
        abort(404)
    form = SatisfactionForm()
    if case.satisfaction_answered_at is not None:
        return render_template("pqr_cases/satisfaction.html", case=case, form=None, done=True)
    if form.validate_on_submit():
        survey.answer(case, form.satisfied.data == "yes", form.comment.data)
        db.session.commit()
        return render_template("pqr_cases/satisfaction.html", case=case, form=None, done=True)
    status = 400 if form.errors else 200
    return render_template("pqr_cases/satisfaction.html", case=case, form=form, done=False), status


def _settings(name: str, parse, title: str):
    path = settings_path(name)
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            parse(form.text.data)
        except (RulesInvalid, TemplatesInvalid) as invalid:
            form.text.errors.append(str(invalid))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(form.text.data.replace("\r\n", "\n"), encoding="utf-8")
            flash(_("Saved."), "success")
            return redirect(request.path)
    elif request.method == "GET":
        source = path if path.exists() else None
        default = Path(__file__).with_name(name)
        form.text.data = (source or default).read_text(encoding="utf-8")
    status = 400 if form.errors else 200
    return render_template("pqr_cases/settings.html", form=form, title=title), status


@bp.route("/settings/rules", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def rules():
    """Edit the keyword rules that suggest a classification."""
    return _settings(RULES_FILE, parse_rules, _("Classification rules"))


@bp.route("/settings/templates", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def templates():
    """Edit the answer templates."""
    return _settings(TEMPLATES_FILE, parse_templates, _("Answer templates"))
