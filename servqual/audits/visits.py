"""The auditor's side of a visit: start, answer as you go, end and submit once (flush only)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.audits.answers import AnswerRefused, ParsedAnswer, parse_answer, verdict
from servqual.audits.checklists import Checklist, Question, checklist_of
from servqual.audits.models import (
    EDITABLE_STATUSES,
    Evidence,
    ProgrammeStatus,
    Visit,
    VisitAction,
    VisitAnswer,
    VisitStatus,
)
from servqual.audits.operations import AuditRefused, event
from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.service.models import Standard, Touchpoint


def visit_checklist(visit: Visit) -> Checklist:
    """Return the checklist of the visit's programme."""
    return checklist_of(visit.programme.instrument_version)


def visit_questions(visit: Visit, checklist: Checklist | None = None) -> list[Question]:
    """Return the questions of the programme touchpoints on the visit's channel, at its site."""
    checklist = checklist or visit_checklist(visit)
    in_scope = {
        t.code
        for t in visit.programme.touchpoints
        if t.channel_id == visit.channel_id
        and t.is_at_site(visit.site)
        and (visit.touchpoint_id is None or t.id == visit.touchpoint_id)
    }
    return [q for s in checklist.sections if s.touchpoint_code in in_scope for q in s.questions]


def require_auditor(visit: Visit, user: User) -> None:
    if visit.auditor_id != user.id:
        raise AuditRefused(_("This visit is not assigned to you."))


def start_visit(visit: Visit, auditor: User) -> None:
    """Record the start of a visit (once)."""
    require_auditor(visit, auditor)
    if visit.status != VisitStatus.SCHEDULED:
        return
    if visit.programme.status != ProgrammeStatus.ACTIVE:
        raise AuditRefused(_("The programme is not active."))
    visit.status = VisitStatus.IN_PROGRESS
    visit.started_at = utcnow()
    event(visit, auditor, VisitAction.STARTED)
    db.session.flush()


def end_visit(visit: Visit, auditor: User) -> None:
    """Record the end of the visit (the first time only)."""
    require_auditor(visit, auditor)
    if visit.status not in EDITABLE_STATUSES:
        raise AuditRefused(_("This visit can no longer be changed."))
    if visit.ended_at is None:
        visit.ended_at = utcnow()
        event(visit, auditor, VisitAction.ENDED)
        db.session.flush()


@dataclass(frozen=True)
class SavedAnswer:
    """An answer as stored, with how it compares with its standard."""

    answer: VisitAnswer | None
    verdict: str | None


def question_of(visit: Visit, code: str) -> Question:
    for question in visit_questions(visit):
        if question.code == code:
            return question
    raise AuditRefused(_("This question is not part of this visit."))


def standard_of(question: Question) -> Standard | None:
    if question.standard_code is None:
        return None
    return db.session.scalar(sa.select(Standard).where(Standard.code == question.standard_code))


def store_answer(visit: Visit, question: Question, parsed: ParsedAnswer) -> VisitAnswer | None:
    """Insert or update the visit's one answer to ``question`` (deleting it when emptied)."""
    answer = db.session.scalar(
        sa.select(VisitAnswer).where(
            VisitAnswer.visit_id == visit.id, VisitAnswer.question_code == question.code
        )
    )
    if parsed.is_empty:
        if answer is not None:
            db.session.delete(answer)
            db.session.flush()
        return None
    if answer is None:
        standard = standard_of(question)
        touchpoint = db.session.scalar(
            sa.select(Touchpoint).where(Touchpoint.code == question.touchpoint_code)
        )
        answer = VisitAnswer(
            visit_id=visit.id,
            question_code=question.code,
            section_code=question.section,
            position=question.position,
            question_type=question.type,
            standard_id=standard.id if standard and question.is_scored else None,
            touchpoint_id=touchpoint.id if touchpoint else None,
            weight=question.weight,
        )
        db.session.add(answer)
    for name in (
        "value_bool",
        "value_number",
        "value_unit",
        "value_text",
        "is_not_applicable",
        "is_met",
        "score",
    ):
        setattr(answer, name, getattr(parsed, name))
    answer.updated_at = utcnow()
    db.session.flush()
    return answer


def save_answer(visit: Visit, auditor: User, code: str, raw: str | None) -> SavedAnswer:
    """Store the auditor's answer to one question; refuse with a message if it is wrong."""
    require_auditor(visit, auditor)
    if visit.status == VisitStatus.SCHEDULED:
        start_visit(visit, auditor)
    if visit.status not in EDITABLE_STATUSES:
        raise AuditRefused(_("This visit has been submitted; it can no longer be changed."))
    question = question_of(visit, code)
    standard = standard_of(question)
    try:
        parsed = parse_answer(question, standard, raw)
    except AnswerRefused as refused:
        raise AuditRefused(str(refused)) from None
    answer = store_answer(visit, question, parsed)
    return SavedAnswer(answer, verdict(standard, parsed))


def missing_answers(visit: Visit, lang: str = "es") -> list[str]:
    """Return the labels of required questions without an answer or required photo."""
    # Read from the database: answers saved in this request may not be in the collections.
    answers = {
        a.question_code: a
        for a in db.session.scalars(sa.select(VisitAnswer).where(VisitAnswer.visit_id == visit.id))
    }
    photographed = set(
        db.session.scalars(sa.select(Evidence.question_code).where(Evidence.visit_id == visit.id))
    )
    missing = []
    for question in visit_questions(visit):
        if question.type == "photo":
            if question.is_required and question.code not in photographed:
                missing.append(question.label(lang))
            continue
        if question.is_required and question.code not in answers:
            missing.append(question.label(lang))
            continue
        answer = answers.get(question.code)
        if (
            question.needs_evidence
            and answer is not None
            and not answer.is_not_applicable
            and question.code not in photographed
        ):
            missing.append(_("photo for “%(label)s”", label=question.label(lang)))
    return missing


def submit_visit(visit: Visit, auditor: User, token: str, lang: str = "es") -> None:
    """Submit a visit for review once; a repeated submit is refused and changes nothing."""
    require_auditor(visit, auditor)
    if visit.status in (VisitStatus.SUBMITTED, VisitStatus.APPROVED, VisitStatus.REJECTED):
        raise AuditRefused(
            _(
                "This visit was already submitted on %(day)s; nothing was changed.",
                day=format_date(visit.submitted_at or utcnow()),
            )
        )
    if visit.status not in EDITABLE_STATUSES:
        raise AuditRefused(_("Start the visit before submitting it."))
    if token != visit.submission_token:
        raise AuditRefused(_("This form is out of date: reload the visit and submit again."))
    missing = missing_answers(visit, lang)
    if missing:
        raise AuditRefused(
            _("Answer these before submitting: %(missing)s", missing=", ".join(missing))
        )
    now = utcnow()
    done = db.session.execute(
        sa.update(Visit)
        .where(
            Visit.id == visit.id,
            Visit.status.in_([str(s) for s in EDITABLE_STATUSES]),
            Visit.submission_token == token,
        )
        .values(
            status=VisitStatus.SUBMITTED,
            submitted_at=now,
            ended_at=sa.func.coalesce(Visit.ended_at, now),
            submission_count=Visit.submission_count + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise AuditRefused(_("This visit was already submitted; nothing was changed."))
    db.session.refresh(visit)
    event(visit, auditor, VisitAction.SUBMITTED)
    db.session.flush()


def save_comment(visit: Visit, auditor: User, text: str) -> None:
    """Store the auditor's overall remarks on the visit."""
    require_auditor(visit, auditor)
    if visit.status not in EDITABLE_STATUSES:
        raise AuditRefused(_("This visit has been submitted; it can no longer be changed."))
    text = (text or "").strip()
    if len(text) > 5000:
        raise AuditRefused(_("Keep it under %(limit)d characters.", limit=5000))
    visit.comment = text or None
    db.session.flush()
