"""Write audit programmes and visits: schedule, assign, answer, submit, review (flush only)."""

from __future__ import annotations

import calendar
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from servqual.accounts.models import Role, User
from servqual.audits.checklists import checklist_of, fit_problems
from servqual.audits.models import (
    AuditProgramme,
    ProgrammeStatus,
    Visit,
    VisitAction,
    VisitEvent,
    VisitStatus,
)
from servqual.extensions import db
from servqual.instruments.models import InstrumentVersion
from servqual.service.models import Channel, ChannelKind, Site, Touchpoint


class AuditRefused(Exception):
    """An audit action that cannot be done; the message says why, for the user."""


def new_token() -> str:
    """Return a fresh submission token."""
    return secrets.token_hex(16)


def event(visit: Visit, user: User | None, action: VisitAction, comment: str | None = None):
    """Add a step to the visit's trail."""
    db.session.add(
        VisitEvent(visit=visit, user_id=user.id if user else None, action=action, comment=comment)
    )


# --- programmes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeInput:
    """What a manager fills in to create a programme."""

    name: str
    version: InstrumentVersion
    sites: list[Site]
    touchpoints: list[Touchpoint]
    starts_on: date
    ends_on: date
    visits_per_site_month: int
    channel_mix: dict[int, int]
    keeps_location: bool = False


def create_programme(data: ProgrammeInput, user: User) -> AuditProgramme:
    """Create a draft programme after checking it against the checklist and service model."""
    if data.version.instrument.kind != "checklist":
        raise AuditRefused(_("Choose a checklist, not a questionnaire."))
    checklist = checklist_of(data.version)
    problems = fit_problems(checklist)
    if problems:
        raise AuditRefused(
            _(
                "The checklist does not fit the service model: %(problems)s",
                problems="; ".join(problems),
            )
        )
    if data.ends_on < data.starts_on:
        raise AuditRefused(_("The period must end on or after its start."))
    if not data.sites:
        raise AuditRefused(_("Choose at least one site."))
    for site in data.sites:
        if not user.can_see_site(site.id):
            raise AuditRefused(_("You may not plan visits at %(site)s.", site=site.name))
    if not data.touchpoints:
        raise AuditRefused(_("Choose at least one touchpoint."))
    covered = {section.touchpoint_code for section in checklist.sections}
    for touchpoint in data.touchpoints:
        if touchpoint.code not in covered:
            raise AuditRefused(
                _(
                    "The checklist has no section for touchpoint %(touchpoint)s.",
                    touchpoint=touchpoint.name,
                )
            )
    channels = {t.channel_id for t in data.touchpoints}
    mix = {cid: share for cid, share in data.channel_mix.items() if share}
    if not mix:
        mix = {cid: 100 // len(channels) for cid in channels}
        first = min(mix)
        mix[first] += 100 - sum(mix.values())
    for cid, share in mix.items():
        if cid not in channels:
            raise AuditRefused(_("The channel mix names a channel none of the touchpoints uses."))
        if share < 0:
            raise AuditRefused(_("Channel shares cannot be negative."))
    if sum(mix.values()) != 100:
        raise AuditRefused(_("The channel shares must add up to 100."))
    programme = AuditProgramme(
        name=data.name.strip(),
        instrument_version=data.version,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        visits_per_site_month=data.visits_per_site_month,
        channel_mix={str(cid): share for cid, share in sorted(mix.items())},
        keeps_location=data.keeps_location,
        status=ProgrammeStatus.ACTIVE,
        created_by_id=user.id,
    )
    programme.sites = list(data.sites)
    programme.touchpoints = list(data.touchpoints)
    db.session.add(programme)
    db.session.flush()
    return programme


def set_programme_status(programme: AuditProgramme, status: ProgrammeStatus) -> None:
    """Open or close a programme."""
    programme.status = status
    db.session.flush()


def _months(start: date, end: date):
    month = date(start.year, start.month, 1)
    while month <= end:
        last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
        yield max(month, start), min(last, end)
        month = last + timedelta(days=1)


def _allocate(total: int, shares: dict[int, int]) -> dict[int, int]:
    """Split ``total`` visits across channels by share (largest remainder)."""
    exact = {cid: total * share / 100 for cid, share in shares.items()}
    counts = {cid: int(value) for cid, value in exact.items()}
    left = total - sum(counts.values())
    for cid in sorted(exact, key=lambda c: (counts[c] - exact[c], c))[:left]:
        counts[cid] += 1
    return counts


def schedule_visits(programme: AuditProgramme) -> int:
    """Add the visits the quota asks for that are not scheduled yet; return how many."""
    shares = {int(cid): share for cid, share in programme.channel_mix.items()}
    existing = Counter(
        (site_id, scheduled_on.year, scheduled_on.month, channel_id)
        for site_id, scheduled_on, channel_id in db.session.execute(
            sa.select(Visit.site_id, Visit.scheduled_on, Visit.channel_id).where(
                Visit.programme_id == programme.id
            )
        )
    )
    added = 0
    for first, last in _months(programme.starts_on, programme.ends_on):
        days = (last - first).days + 1
        for site in programme.sites:
            wanted = _allocate(programme.visits_per_site_month, shares)
            slot = 0
            for channel_id, count in sorted(wanted.items()):
                have = existing[(site.id, first.year, first.month, channel_id)]
                for _n in range(max(0, count - have)):
                    offset = (slot * days) // max(1, programme.visits_per_site_month)
                    slot += 1
                    db.session.add(
                        Visit(
                            programme=programme,
                            site_id=site.id,
                            channel_id=channel_id,
                            scheduled_on=first + timedelta(days=min(offset, days - 1)),
                            submission_token=new_token(),
                        )
                    )
                    added += 1
    db.session.flush()
    return added


def add_visit(
    programme: AuditProgramme,
    site: Site,
    scheduled_on: date,
    touchpoint: Touchpoint | None = None,
    channel: Channel | None = None,
) -> Visit:
    """Schedule one visit by hand, refusing sites, touchpoints or dates outside the programme."""
    if site not in programme.sites:
        raise AuditRefused(_("%(site)s is not a site of this programme.", site=site.name))
    if touchpoint is not None and touchpoint not in programme.touchpoints:
        raise AuditRefused(
            _("%(touchpoint)s is not a touchpoint of this programme.", touchpoint=touchpoint.name)
        )
    if touchpoint is not None and not touchpoint.is_at_site(site):
        raise AuditRefused(
            _(
                "%(touchpoint)s does not happen at %(site)s.",
                touchpoint=touchpoint.name,
                site=site.name,
            )
        )
    if not programme.starts_on <= scheduled_on <= programme.ends_on:
        raise AuditRefused(_("The date is outside the programme's period."))
    if channel is None:
        channel = touchpoint.channel if touchpoint else None
    if channel is None:
        shares = {int(cid): share for cid, share in programme.channel_mix.items()}
        channel = db.session.get(Channel, max(shares, key=shares.get))
    if channel.id not in {t.channel_id for t in programme.touchpoints}:
        raise AuditRefused(_("No touchpoint of this programme uses that channel."))
    visit = Visit(
        programme=programme,
        site_id=site.id,
        channel_id=channel.id,
        touchpoint_id=touchpoint.id if touchpoint else None,
        scheduled_on=scheduled_on,
        submission_token=new_token(),
    )
    db.session.add(visit)
    db.session.flush()
    return visit


# --- assignment -----------------------------------------------------------------------


def assignment_problem(visit: Visit, auditor: User) -> str | None:
    """Say why ``auditor`` may not take ``visit`` (rotation, conflicts, scope), or ``None``."""
    if auditor.role != Role.AUDITOR or not auditor.is_enabled:
        return _("%(name)s is not an active auditor.", name=auditor.name)
    if not auditor.can_see_site(visit.site_id):
        return _("%(name)s does not audit %(site)s.", name=auditor.name, site=visit.site.name)
    if visit.status != VisitStatus.SCHEDULED:
        return _("The visit has already started; it cannot change hands.")
    if visit.programme.status != ProgrammeStatus.ACTIVE:
        return _("The programme is not active.")
    others = sa.select(Visit).where(
        Visit.auditor_id == auditor.id,
        Visit.id != visit.id,
        Visit.status != VisitStatus.REJECTED,
    )
    before = db.session.scalar(
        others.where(Visit.scheduled_on <= visit.scheduled_on)
        .order_by(Visit.scheduled_on.desc(), Visit.id.desc())
        .limit(1)
    )
    after = db.session.scalar(
        others.where(Visit.scheduled_on >= visit.scheduled_on)
        .order_by(Visit.scheduled_on, Visit.id)
        .limit(1)
    )
    for neighbour in (before, after):
        if neighbour is not None and neighbour.site_id == visit.site_id:
            return _(
                "Rotation: %(name)s also visits %(site)s on %(day)s; "
                "an auditor never visits the same site twice in a row.",
                name=auditor.name,
                site=visit.site.name,
                day=format_date(neighbour.scheduled_on),
            )
    if visit.channel.kind == ChannelKind.FACE_TO_FACE:
        clash = db.session.scalar(
            sa.select(Visit)
            .join(Channel, Channel.id == Visit.channel_id)
            .where(
                Visit.auditor_id == auditor.id,
                Visit.id != visit.id,
                Visit.scheduled_on == visit.scheduled_on,
                Channel.kind == ChannelKind.FACE_TO_FACE,
                Visit.status != VisitStatus.REJECTED,
            )
            .limit(1)
        )
        if clash is not None:
            return _(
                "Conflict: %(name)s already has a branch visit on %(day)s (%(site)s).",
                name=auditor.name,
                day=format_date(clash.scheduled_on),
                site=clash.site.name,
            )
    return None


def assign_visit(visit: Visit, auditor: User, by: User) -> None:
    """Assign a scheduled visit to an auditor, or refuse with the reason."""
    problem = assignment_problem(visit, auditor)
    if problem:
        raise AuditRefused(problem)
    visit.auditor_id = auditor.id
    event(visit, by, VisitAction.ASSIGNED, auditor.name)
    db.session.flush()


def claim_visit(visit: Visit, auditor: User) -> None:
    """Let an auditor take an unassigned visit from the board (first come, first served)."""
    if visit.auditor_id is not None:
        raise AuditRefused(_("Someone has already taken this visit."))
    problem = assignment_problem(visit, auditor)
    if problem:
        raise AuditRefused(problem)
    taken = db.session.execute(
        sa.update(Visit)
        .where(Visit.id == visit.id, Visit.auditor_id.is_(None))
        .values(auditor_id=auditor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise AuditRefused(_("Someone has already taken this visit."))
    db.session.refresh(visit)
    event(visit, auditor, VisitAction.CLAIMED)
    db.session.flush()
