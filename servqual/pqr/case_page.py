"""The case page: its forms, the classification suggestion and the answer templates."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from servqual.accounts.models import Role, User
from servqual.extensions import db
from servqual.forms import ConfirmForm, options
from servqual.pqr import casework
from servqual.pqr.answer_templates import TemplatesInvalid, load_templates
from servqual.pqr.casework_forms import (
    AnswerForm,
    AssignForm,
    ClassifyForm,
    ExtendForm,
    NoteForm,
    PauseForm,
    ResumeForm,
    StatusForm,
)
from servqual.pqr.classify import RulesInvalid, load_rules, suggest
from servqual.pqr.models import DIMENSIONS, Case, CaseAction, CaseStatus
from servqual.service.models import Pillar, Touchpoint

#: How each history entry reads on the case page.
ACTION_LABELS = {
    CaseAction.FILED: _l("Filed"),
    CaseAction.EDITED: _l("Changed"),
    CaseAction.ASSIGNED: _l("Assigned"),
    CaseAction.STATUS_CHANGED: _l("Status changed"),
    CaseAction.CLASSIFIED: _l("Classified"),
    CaseAction.NOTE_ADDED: _l("Internal note"),
    CaseAction.ATTACHMENT_ADDED: _l("Attachment added"),
    CaseAction.PAUSED: _l("Information requested, clock stopped"),
    CaseAction.RESUMED: _l("Information received, clock running"),
    CaseAction.EXTENDED: _l("Term extended"),
    CaseAction.ESCALATED: _l("Escalated to the managers"),
    CaseAction.ANSWERED: _l("Answered"),
    CaseAction.CLOSED: _l("Closed"),
    CaseAction.REOPENED: _l("Reopened"),
    CaseAction.SATISFACTION: _l("Satisfaction answer"),
    CaseAction.MAIL_SENT: _l("E-mail sent"),
}
RULES_FILE = "classification_rules.yaml"
TEMPLATES_FILE = "answer_templates.yaml"


def settings_path(name: str) -> Path:
    return Path(current_app.instance_path) / "pqr" / name


def lang() -> str:
    return "en" if str(get_locale() or "es").startswith("en") else "es"


def dimension_label(code: str) -> str:
    labels = {
        "tangibles": _("Tangibles"),
        "reliability": _("Reliability"),
        "responsiveness": _("Responsiveness"),
        "assurance": _("Assurance"),
        "empathy": _("Empathy"),
    }
    return labels.get(code, code)


def assign_form(case: Case) -> AssignForm:
    form = AssignForm(prefix="assign")
    staff = db.session.scalars(
        sa.select(User)
        .where(User.role.in_([Role.AGENT, Role.MANAGER]), User.is_enabled)
        .order_by(User.name)
    )
    form.agent_id.choices = options(
        [("", _("Nobody"))] + [(u.id, u.name) for u in staff if u.can_see_site(case.site_id)]
    )
    if request.method == "GET":
        form.agent_id.data = case.assigned_to_id
    return form


def status_form_for(case: Case) -> StatusForm:
    form = StatusForm(prefix="status")
    form.status.choices = options(
        (s, CaseStatus(s).label) for s in sorted(casework.TRANSITIONS[case.status])
    )
    return form


def classify_form(case: Case) -> ClassifyForm:
    form = ClassifyForm(prefix="classify")
    form.dimension.choices = options(
        [("", _("Not classified"))] + [(d, dimension_label(d)) for d in DIMENSIONS]
    )
    form.pillar_id.choices = options(
        [("", _("Not classified"))]
        + [(p.id, p.name) for p in db.session.scalars(sa.select(Pillar).order_by(Pillar.position))]
    )
    form.touchpoint_id.choices = options(
        [("", _("Not classified"))]
        + [
            (t.id, t.name)
            for t in db.session.scalars(sa.select(Touchpoint).order_by(Touchpoint.name))
        ]
    )
    return form


def suggestion(case: Case):
    try:
        rules = load_rules(settings_path(RULES_FILE))
    except RulesInvalid:
        rules = load_rules(None)
    found = suggest(case.description, rules)
    pillar = touchpoint = None
    if found.pillar is not None:
        pillar = db.session.scalar(sa.select(Pillar).where(Pillar.code == found.pillar.code))
    if found.touchpoint is not None:
        touchpoint = db.session.scalar(
            sa.select(Touchpoint).where(Touchpoint.code == found.touchpoint.code)
        )
    return found, pillar, touchpoint


def answer_templates():
    try:
        return load_templates(settings_path(TEMPLATES_FILE))
    except TemplatesInvalid:
        return load_templates(None)


def case_page(case: Case, code: int = 200, **forms):
    """Render the case page with its forms (those given keep their input and errors)."""
    found, pillar, touchpoint = suggestion(case)
    classify = forms.get("classify") or classify_form(case)
    if "classify" not in forms:
        classify.dimension.data = case.dimension or (
            found.dimension.code if found.dimension else ""
        )
        classify.pillar_id.data = case.pillar_id or (pillar.id if pillar else None)
        classify.touchpoint_id.data = case.touchpoint_id or (touchpoint.id if touchpoint else None)
    answer = forms.get("answer") or AnswerForm(prefix="answer")
    templates = answer_templates()
    chosen = request.args.get("template")
    if "answer" not in forms and request.method == "GET":
        answer.text.data = case.answer_text
        for template in templates:
            if template.key == chosen:
                answer.text.data = template.render(
                    case.locale,
                    {
                        "name": case.contact_name,
                        "filing_number": case.filing_label,
                        "due_on": case.due_on.isoformat(),
                        "site": case.site.name,
                    },
                )
    resume = forms.get("resume") or ResumeForm(prefix="resume")
    if resume.received_on.data is None:
        resume.received_on.data = casework.today()
    today = casework.today()
    clock = casework.deadline_clock()
    return render_template(
        "pqr_cases/case.html",
        case=case,
        clock=clock.status(case.timeline(), today),
        latest_extension=clock.latest_extension_date(case.timeline(), today),
        suggestion=found,
        suggested_pillar=pillar,
        suggested_touchpoint=touchpoint,
        dimension_label=dimension_label,
        action_labels=ACTION_LABELS,
        assign=forms.get("assign") or assign_form(case),
        status_form=forms.get("status_form") or status_form_for(case),
        pause=forms.get("pause") or PauseForm(prefix="pause"),
        resume=resume,
        extend=forms.get("extend") or ExtendForm(prefix="extend"),
        answer=answer,
        note=forms.get("note") or NoteForm(prefix="note"),
        classify=classify,
        templates=templates,
        lang=lang(),
        confirm=ConfirmForm(),
    ), code
