"""A manager's review of submitted visits: approve, return, reject, and logged edits."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.accounts.models import Role, User
from servqual.audits.answers import AnswerRefused, parse_answer
from servqual.audits.models import Visit, VisitAction, VisitAnswer, VisitEdit, VisitStatus
from servqual.audits.operations import AuditRefused, event, new_token
from servqual.audits.visits import question_of, standard_of, store_answer
from servqual.extensions import db
from servqual.modelbase import utcnow


def _require_reviewable(visit: Visit, reviewer: User) -> None:
    if not reviewer.has_role(Role.MANAGER) or not reviewer.can_see_site(visit.site_id):
        raise AuditRefused(_("You may not review visits at this site."))
    if visit.status != VisitStatus.SUBMITTED:
        raise AuditRefused(
            _(
                "Only submitted visits can be reviewed; this one is %(status)s.",
                status=visit.status_enum.label,
            )
        )


def review_visit(visit: Visit, reviewer: User, decision: str, comment: str | None) -> None:
    """Approve, return (with a comment) or reject (with a comment) a submitted visit."""
    _require_reviewable(visit, reviewer)
    comment = (comment or "").strip() or None
    actions = {
        "approve": (VisitStatus.APPROVED, VisitAction.APPROVED),
        "return": (VisitStatus.RETURNED, VisitAction.RETURNED),
        "reject": (VisitStatus.REJECTED, VisitAction.REJECTED),
    }
    if decision not in actions:
        raise AuditRefused(_("Choose approve, return or reject."))
    if decision in ("return", "reject") and not comment:
        raise AuditRefused(_("Say why: the auditor reads this comment."))
    status, action = actions[decision]
    done = db.session.execute(
        sa.update(Visit)
        .where(Visit.id == visit.id, Visit.status == VisitStatus.SUBMITTED)
        .values(
            status=status,
            reviewer_id=reviewer.id,
            reviewed_at=utcnow(),
            review_comment=comment,
            submission_token=new_token()
            if status == VisitStatus.RETURNED
            else Visit.submission_token,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise AuditRefused(_("Someone else has just reviewed this visit."))
    db.session.refresh(visit)
    event(visit, reviewer, action, comment)
    db.session.flush()


def edit_answer(visit: Visit, reviewer: User, code: str, raw: str | None, reason: str) -> None:
    """Let a reviewer correct an answer of a submitted visit, logging old, new and why."""
    _require_reviewable(visit, reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise AuditRefused(_("Give the reason for the change."))
    question = question_of(visit, code)
    standard = standard_of(question)
    try:
        parsed = parse_answer(question, standard, raw)
    except AnswerRefused as refused:
        raise AuditRefused(str(refused)) from None
    old = db.session.scalar(
        sa.select(VisitAnswer).where(
            VisitAnswer.visit_id == visit.id, VisitAnswer.question_code == code
        )
    )
    old_value = old.display_value if old is not None else None
    answer = store_answer(visit, question, parsed)
    new_value = answer.display_value if answer is not None else None
    if old_value == new_value:
        raise AuditRefused(_("The new value is the same as the old one."))
    db.session.add(
        VisitEdit(
            visit_id=visit.id,
            user_id=reviewer.id,
            question_code=code,
            old_value=old_value,
            new_value=new_value,
            reason=reason,
        )
    )
    db.session.flush()
