"""Staff pages of action plans: open one from a cell, list, edit, change status, delete.

Managers limited to sites see and change only the actions of their sites; actions
about every site are for managers of every site.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from servqual.accounts.models import Role, User
from servqual.extensions import db
from servqual.forms import ConfirmForm, options
from servqual.reports import action_measures as measures
from servqual.reports import action_operations as operations
from servqual.reports.action_forms import ActionEditForm, ActionNewForm, ActionStatusForm
from servqual.reports.action_models import Action, ActionStatus, GapKind
from servqual.reports.filters import campaign_sites
from servqual.reports.words import number, status_text
from servqual.security import abort_unless_site, roles_required
from servqual.service.models import Pillar, Site, Touchpoint
from servqual.surveys.models import Campaign

bp = Blueprint("actions", __name__, template_folder="templates", url_prefix="/actions")

STAFF = (Role.MANAGER,)


def _owner_choices():
    users = db.session.scalars(sa.select(User).where(User.is_enabled).order_by(User.name))
    return options((user.id, user.name) for user in users)


def _site_choices():
    sites = db.session.scalars(sa.select(Site).order_by(Site.name)).all()
    pairs = [("", _("Every site"))] if current_user.site_ids is None else []
    pairs += [(site.id, site.name) for site in sites if current_user.can_see_site(site.id)]
    return options(pairs)


def _prepare_new(form: ActionNewForm) -> None:
    form.owner_id.choices = _owner_choices()
    campaigns = db.session.scalars(
        sa.select(Campaign).order_by(Campaign.wave.desc(), Campaign.id.desc())
    )
    form.campaign_id.choices = options((c.id, f"{c.wave} · {c.name}") for c in campaigns)
    touchpoints = db.session.scalars(
        sa.select(Touchpoint).order_by(Touchpoint.cycle_id, Touchpoint.position)
    )
    form.touchpoint_id.choices = options(
        (tp.id, f"{tp.cycle.name} › {tp.name}") for tp in touchpoints
    )
    pillars = db.session.scalars(sa.select(Pillar).order_by(Pillar.position, Pillar.name))
    form.pillar_id.choices = options((p.id, p.name) for p in pillars)
    form.site_id.choices = _site_choices()


def _action_for_user(action_id: int) -> Action:
    action = db.get_or_404(Action, action_id)
    abort_unless_site(action.site_id)
    return action


def _int_param(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        abort(400, _("“%(name)s” must be a number.", name=name))


def _prefill(form: ActionNewForm) -> None:
    """Fill the cell from the URL (a heatmap cell or a priority), validating every value."""
    campaign_id = _int_param("campaign")
    touchpoint_id = _int_param("touchpoint")
    site_id = _int_param("site")
    if site_id is not None:
        abort_unless_site(site_id)
    campaign = db.session.get(Campaign, campaign_id) if campaign_id is not None else None
    if campaign_id is not None and campaign is None:
        abort(400, _("Unknown campaign."))
    if touchpoint_id is not None and (
        campaign is None or touchpoint_id not in {tp.id for tp in campaign.touchpoints}
    ):
        abort(400, _("Unknown touchpoint for this campaign."))
    if site_id is not None and (
        campaign is None or site_id not in {s.id for s in campaign_sites(campaign)}
    ):
        abort(400, _("Unknown site for this campaign."))
    pillar = None
    if request.args.get("pillar"):
        pillar = db.session.scalar(sa.select(Pillar).where(Pillar.code == request.args["pillar"]))
        if pillar is None:
            abort(400, _("Unknown pillar."))
    gap = request.args.get("gap") or GapKind.GAP5
    if gap not in set(GapKind):
        abort(400, _("Unknown gap."))
    form.campaign_id.data = campaign_id
    form.touchpoint_id.data = touchpoint_id
    form.pillar_id.data = pillar.id if pillar else None
    form.site_id.data = site_id
    form.gap.data = str(gap)
    form.owner_id.data = current_user.id


def _baseline_preview(form: ActionNewForm):
    try:
        choice = operations.check_cell(
            current_user,
            form.campaign_id.data,
            form.touchpoint_id.data,
            form.pillar_id.data,
            form.site_id.data,
            form.gap.data,
        )
    except operations.ActionError:
        return None
    return measures.measure_cell(
        choice.campaign, choice.touchpoint.id, choice.pillar.code, choice.site_id, choice.gap
    )


@bp.route("/")
@roles_required(*STAFF)
def index():
    """List the actions of the user's sites, by due date; optionally one status."""
    query = operations.visible_actions(current_user)
    status = request.args.get("status") or None
    if status is not None:
        if status not in set(ActionStatus):
            abort(400, _("Unknown status."))
        query = query.where(Action.status == status)
    return render_template(
        "actions/list.html",
        actions=db.session.scalars(query).all(),
        status=status,
        statuses=list(ActionStatus),
        status_form=ActionStatusForm(),
        number=number,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():
    """Open an action, prefilled from the cell named in the URL; the baseline is measured here."""
    form = ActionNewForm()
    _prepare_new(form)
    if request.method == "GET":
        _prefill(form)
    elif form.validate_on_submit():
        try:
            choice = operations.check_cell(
                current_user,
                form.campaign_id.data,
                form.touchpoint_id.data,
                form.pillar_id.data,
                form.site_id.data,
                form.gap.data,
            )
        except operations.ActionError as refused:
            form.campaign_id.errors = [*form.campaign_id.errors, str(refused)]
        else:
            action = operations.open_action(
                choice,
                owner=db.get_or_404(User, form.owner_id.data),
                target_value=form.target_value.data,
                due_on=form.due_on.data,
                description=form.description.data,
                created_by=current_user._get_current_object(),
            )
            db.session.commit()
            flash(_("Action opened."), "success")
            return redirect(url_for(".show", action_id=action.id), 303)
    return render_template(
        "actions/new.html",
        form=form,
        baseline=_baseline_preview(form),
        number=number,
        status_text=status_text,
    ), (400 if form.errors else 200)


@bp.route("/<int:action_id>")
@roles_required(*STAFF)
def show(action_id: int):
    """Show an action, its baseline and its follow-up in every later wave."""
    action = _action_for_user(action_id)
    waves = measures.later_waves(action)
    before = measures.measure_action(action, action.campaign) if waves else None
    follow_ups = [
        measures.compare(action, before, measures.measure_action(action, wave)) for wave in waves
    ]
    return render_template(
        "actions/show.html",
        action=action,
        follow_ups=follow_ups,
        status_form=ActionStatusForm(status=action.status),
        number=number,
        status_text=status_text,
    )


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(action_id: int):
    """Change an action's plan and status (its cell and baseline stay)."""
    action = _action_for_user(action_id)
    form = ActionEditForm(obj=action)
    form.owner_id.choices = _owner_choices()
    if form.validate_on_submit():
        operations.update_plan(
            action,
            owner=db.get_or_404(User, form.owner_id.data),
            target_value=form.target_value.data,
            due_on=form.due_on.data,
            description=form.description.data,
            status=form.status.data,
        )
        db.session.commit()
        flash(_("Changes saved."), "success")
        return redirect(url_for(".show", action_id=action.id), 303)
    return render_template("actions/edit.html", form=form, action=action), (
        400 if form.errors else 200
    )


@bp.route("/<int:action_id>/status", methods=["POST"])
@roles_required(*STAFF)
def status(action_id: int):
    """Move an action to another status."""
    action = _action_for_user(action_id)
    form = ActionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    operations.set_status(action, form.status.data)
    db.session.commit()
    flash(_("The action is now “%(status)s”.", status=action.status_enum.label), "success")
    return redirect(url_for(".show", action_id=action.id), 303)


@bp.route("/<int:action_id>/delete", methods=["GET", "POST"])
@roles_required(*STAFF)
def delete(action_id: int):
    """Ask for confirmation, then delete the action (and nothing else)."""
    action = _action_for_user(action_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.delete_action(action)
        db.session.commit()
        flash(_("Action deleted."), "success")
        return redirect(url_for(".index"), 303)
    return render_template("actions/delete.html", form=form, action=action)
