"""Closing the loop: a survey answer that signals a service failure opens a follow-up case.

A submitted response opens one case (channel "survey", pointing to the response) when the
respondent agreed to be contacted and either rated an item far below what they expected
(P − E at or below ``PQR_FOLLOW_UP_GAP``, default −3) or asked in the comment to be
contacted. The case goes to the response's site and touchpoint with its due date from the
clock. Called from :func:`servqual.surveys.operations.submit_draft` in the same
transaction (flush, never commit); a response never opens two cases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.pqr.clock import CaseTimeline
from servqual.pqr.intake import insert_with_fresh_number
from servqual.pqr.kinds import CaseAction, CaseChannel, CaseStatus, RequestType
from servqual.pqr.models import Case, CaseEvent
from servqual.pqr.policy import deadline_clock, local_today, policy_version
from servqual.surveys.models import Response

DEFAULT_GAP = -3

#: Phrases (lower case, without accents) by which a comment asks to be contacted.
CONTACT_REQUEST = re.compile(
    r"\b("
    r"contacte(n)?me|contactarme|contactenos|comuniquen(se)?( conmigo)?|llamen(me)?|llamarme"
    r"|escribanme|escribirme|me (contacten|llamen|escriban|respondan|devuelvan la llamada)"
    r"|quiero (que me|hablar con)|necesito (que me|hablar con)"
    r"|contact me|call me|get back to me|write to me|email me|e-mail me|reach me"
    r"|please contact|i want to talk|i would like to talk|speak to (a|someone|the)"
    r")\b"
)


@dataclass(frozen=True)
class Shortfall:
    """An item rated far below expectation."""

    item_code: str
    expected: int
    perceived: int

    @property
    def gap(self) -> int:
        return self.perceived - self.expected


def gap_threshold() -> int:
    """P − E at or below which an item opens a follow-up (``PQR_FOLLOW_UP_GAP``)."""
    return int(current_app.config.get("PQR_FOLLOW_UP_GAP", DEFAULT_GAP))


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def asks_for_contact(comment: str | None) -> bool:
    """Whether the comment asks to be contacted (Spanish or English)."""
    return bool(comment and CONTACT_REQUEST.search(_plain(comment)))


def shortfalls(response: Response, threshold: int) -> list[Shortfall]:
    """The items whose perception is at least ``-threshold`` points below expectation."""
    found = [
        Shortfall(a.item_code, a.e, a.p)
        for a in response.answers
        if a.e is not None and a.p is not None and a.p - a.e <= threshold
    ]
    return sorted(found, key=lambda s: (s.gap, s.item_code))


def existing_case(response: Response) -> Case | None:
    """The follow-up case already opened for this response, if any."""
    return db.session.scalar(sa.select(Case).where(Case.survey_response_id == response.id))


def _contact(response: Response) -> tuple[str | None, str | None]:
    """Name and e-mail the survey recorded (identified campaigns only)."""
    invitation = response.invitation
    if invitation is None or invitation.contact is None:
        return None, None
    contact = invitation.contact
    return contact.name, (contact.email or "").strip().lower() or None


def _description(response: Response, found: list[Shortfall], asked: bool) -> str:
    lines = [_("Follow-up of a survey answer (response %(id)s).", id=response.id)]
    if found:
        lines.append(_("Items rated far below what the respondent expected:"))
        lines += [
            _(
                "- %(item)s: perceived %(p)s, expected %(e)s (gap %(g)s)",
                item=s.item_code,
                p=s.perceived,
                e=s.expected,
                g=s.gap,
            )
            for s in found
        ]
    if asked:
        lines.append(_("The respondent asked to be contacted."))
    if response.comment:
        lines.append(_("Comment: %(c)s", c=response.comment))
    return "\n".join(lines)


def open_follow_up(response: Response) -> Case | None:
    """Open the follow-up case this response calls for (flush) and return it, or None.

    None when the respondent did not agree to be contacted, nothing called for a
    follow-up, the response has no site to send the case to, or a case was already opened.
    """
    if not response.may_contact or response.site_id is None:
        return None
    found = shortfalls(response, gap_threshold())
    asked = asks_for_contact(response.comment)
    if not found and not asked:
        return None
    if existing_case(response) is not None:
        return None
    now = utcnow()
    today = local_today(now)
    name, email = _contact(response)
    locale = response.language if response.language in ("es", "en") else "es"
    with force_locale(locale):
        description = _description(response, found, asked)
        contact_name = name or _("Survey respondent")
    request_type = RequestType.COMPLAINT
    case = Case(
        request_type=request_type,
        channel=CaseChannel.SURVEY,
        site_id=response.site_id,
        touchpoint_id=response.touchpoint_id,
        description=description,
        contact_name=contact_name[:160],
        contact_email=email,
        locale=locale,
        consent_at=now,
        consent_policy_version=policy_version(),
        filed_at=now,
        filed_on=today,
        due_on=deadline_clock().due_on(CaseTimeline(today, request_type), today),
        status=CaseStatus.RECEIVED,
        survey_response_id=response.id,
    )
    insert_with_fresh_number(case, today.year)
    db.session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            user_id=None,
            action=CaseAction.FILED,
            field="status",
            new_value=CaseStatus.RECEIVED,
            is_public=True,
        )
    )
    db.session.flush()
    return case
