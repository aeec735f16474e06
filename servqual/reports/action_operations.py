"""Action plans: open, change and delete actions; which actions a user may see.

Measuring an action's cell and following it up lives in
:mod:`servqual.reports.action_measures`. Writes flush only; the request (or CLI) commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.reports.action_measures import ActionError, measure_cell
from servqual.reports.action_models import Action, ActionStatus, GapKind
from servqual.reports.filters import campaign_sites
from servqual.service.models import Pillar, Touchpoint
from servqual.surveys.models import Campaign


def visible_actions(user: User):
    """Return the query of the actions ``user`` may see (those of their sites)."""
    query = sa.select(Action).order_by(Action.due_on, Action.id)
    allowed = user.site_ids
    if allowed is not None:
        query = query.where(Action.site_id.in_(sorted(allowed)))
    return query


@dataclass(frozen=True)
class CellChoice:
    """The cell an action is opened on, validated."""

    campaign: Campaign
    touchpoint: Touchpoint
    pillar: Pillar
    site_id: int | None
    gap: str


def check_cell(
    user: User,
    campaign_id: int | None,
    touchpoint_id: int | None,
    pillar_id: int | None,
    site_id: int | None,
    gap: str | None,
) -> CellChoice:
    """Validate a cell against the database and the user's sites; raise ActionError."""
    campaign = db.session.get(Campaign, campaign_id) if campaign_id is not None else None
    if campaign is None:
        raise ActionError(_("Choose a campaign."))
    touchpoint = db.session.get(Touchpoint, touchpoint_id) if touchpoint_id is not None else None
    if touchpoint is None or touchpoint not in campaign.touchpoints:
        raise ActionError(_("Choose a touchpoint of this campaign."))
    pillar = db.session.get(Pillar, pillar_id) if pillar_id is not None else None
    if pillar is None:
        raise ActionError(_("Choose a pillar."))
    if gap not in set(GapKind):
        raise ActionError(_("Choose the gap the action targets."))
    if site_id is None:
        if user.site_ids is not None:
            raise ActionError(_("Choose one of your sites."))
    elif not user.can_see_site(site_id) or site_id not in {s.id for s in campaign_sites(campaign)}:
        raise ActionError(_("Choose a site of this campaign among your sites."))
    return CellChoice(campaign, touchpoint, pillar, site_id, gap)


def open_action(
    choice: CellChoice,
    *,
    owner: User,
    target_value: float,
    due_on: date,
    description: str,
    created_by: User,
) -> Action:
    """Open an action on a validated cell, with the cell's gap now as its baseline."""
    baseline = measure_cell(
        choice.campaign, choice.touchpoint.id, choice.pillar.code, choice.site_id, choice.gap
    )
    action = Action(
        campaign=choice.campaign,
        touchpoint=choice.touchpoint,
        pillar=choice.pillar,
        site_id=choice.site_id,
        gap=choice.gap,
        baseline_value=baseline.value,
        baseline_ci_low=baseline.ci_low,
        baseline_ci_high=baseline.ci_high,
        baseline_n=baseline.n,
        target_value=target_value,
        owner=owner,
        due_on=due_on,
        status=ActionStatus.OPEN,
        description=description.strip(),
        created_by=created_by,
    )
    db.session.add(action)
    db.session.flush()
    return action


def update_plan(
    action: Action,
    *,
    owner: User,
    target_value: float,
    due_on: date,
    description: str,
    status: str,
) -> None:
    """Change what can change once an action is open: the plan and its status (not its cell)."""
    action.owner = owner
    action.target_value = target_value
    action.due_on = due_on
    action.description = description.strip()
    set_status(action, status)


def set_status(action: Action, status: str) -> None:
    """Move an action to ``status``; raise ActionError for an unknown one."""
    if status not in set(ActionStatus):
        raise ActionError(_("Unknown status."))
    action.status = status
    db.session.flush()


def delete_action(action: Action) -> None:
    """Delete an action (nothing else points to it; no collected data goes with it)."""
    db.session.delete(action)
    db.session.flush()
