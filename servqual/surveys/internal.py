"""Staff pages of the internal surveys: M, S and C, D, and the anonymous staff scales."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired, Optional

from servqual.accounts.models import Role
from servqual.extensions import db
from servqual.forms import options
from servqual.instruments.format import from_definition
from servqual.security import abort_unless_site, roles_required
from servqual.service.models import Site, Touchpoint
from servqual.surveys import internal_operations as ops
from servqual.surveys.forms import likert_choices
from servqual.surveys.internal_models import (
    CommunicationRating,
    DeliveryRating,
    ManagementRating,
    SpecificationRating,
    StaffResponse,
)
from servqual.surveys.models import Campaign
from servqual.surveys.operations import SurveyError
from servqual.surveys.steps import instrument_of, scored_items

bp = Blueprint("internal", __name__, template_folder="templates", url_prefix="/internal")

ALL_STAFF = (Role.MANAGER, Role.AUDITOR, Role.AGENT)


def _lang() -> str:
    return str(get_locale() or "es")


def _campaign_and_touchpoint(campaign_id: int, touchpoint_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    touchpoint = db.get_or_404(Touchpoint, touchpoint_id)
    if touchpoint not in campaign.touchpoints:
        abort(404)
    return campaign, touchpoint


def _count(model, campaign: Campaign, touchpoint_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(sa.distinct(model.item_code))).where(
                model.campaign_id == campaign.id, model.touchpoint_id == touchpoint_id
            )
        )
        or 0
    )


@bp.route("/")
@roles_required(*ALL_STAFF)
def open_waves():
    """List the open waves whose internal surveys staff can answer."""
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.status == "open").order_by(Campaign.wave.desc())
    ).all()
    return render_template(
        "surveys/internal_waves.html",
        campaigns=[(c, ops.has_answered_staff_survey(c, current_user)) for c in campaigns],
    )


@bp.route("/<int:campaign_id>")
@roles_required(*ALL_STAFF)
def overview(campaign_id: int):
    """Show what the organisation has said about itself in this wave, touchpoint by touchpoint."""
    campaign = db.get_or_404(Campaign, campaign_id)
    items = len(scored_items(instrument_of(campaign)))
    rows = []
    for touchpoint in campaign.touchpoints:
        managers = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(ManagementRating.user_id))).where(
                ManagementRating.campaign_id == campaign.id,
                ManagementRating.touchpoint_id == touchpoint.id,
            )
        )
        rows.append(
            {
                "touchpoint": touchpoint,
                "managers": managers or 0,
                "specified": _count(SpecificationRating, campaign, touchpoint.id),
                "communicated": _count(CommunicationRating, campaign, touchpoint.id),
                "delivered": _count(DeliveryRating, campaign, touchpoint.id),
            }
        )
    staff = db.session.execute(
        sa.select(StaffResponse.staff_group, sa.func.count())
        .where(StaffResponse.campaign_id == campaign.id)
        .group_by(StaffResponse.staff_group)
    ).all()
    total_staff = sum(n for _group, n in staff)
    return render_template(
        "surveys/internal_overview.html",
        campaign=campaign,
        rows=rows,
        items=items,
        staff_total=total_staff,
        staff_groups=[(g, n) for g, n in staff if n >= ops.MIN_GROUP],
        min_group=ops.MIN_GROUP,
        answered=ops.has_answered_staff_survey(campaign, current_user),
    )


def _likert_form(items, form_code: str, lang: str) -> type[FlaskForm]:
    fields = {
        item.code: RadioField(
            item.text(form_code, lang),
            choices=likert_choices(item, lang),
            validators=[InputRequired(message=_("Choose an answer, or “not applicable”."))],
        )
        for item in items
    }
    return type("LikertForm", (FlaskForm,), fields)


def _value(raw) -> int | None:
    return None if raw in (None, "", "na") else int(raw)


@bp.route("/<int:campaign_id>/management/<int:touchpoint_id>", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def management(campaign_id: int, touchpoint_id: int):
    """Let a manager answer the expectation form as they believe customers would (M)."""
    campaign, touchpoint = _campaign_and_touchpoint(campaign_id, touchpoint_id)
    try:
        version = ops.latest_version("gap1-management")
    except SurveyError as missing:
        flash(str(missing), "error")
        return redirect(url_for(".overview", campaign_id=campaign.id))
    instrument = from_definition(version.definition)
    form_code = next(f["code"] for f in instrument.forms if f["measure"] == "M")
    items = [i for i in scored_items(instrument) if form_code in i.forms]
    form_class = _likert_form(items, form_code, _lang())
    previous = {
        r.item_code: ("na" if r.value is None else str(r.value))
        for r in db.session.scalars(
            sa.select(ManagementRating).filter_by(
                campaign_id=campaign.id, user_id=current_user.id, touchpoint_id=touchpoint.id
            )
        )
    }
    form = form_class(data=previous) if previous else form_class()
    if form.validate_on_submit():
        ops.record_management(
            campaign,
            current_user,
            touchpoint.id,
            version,
            {i.code: _value(form[i.code].data) for i in items},
        )
        db.session.commit()
        flash(
            _("Your answers for %(touchpoint)s are saved.", touchpoint=touchpoint.name), "success"
        )
        return redirect(url_for(".overview", campaign_id=campaign.id))
    return render_template(
        "surveys/internal_likert.html",
        form=form,
        items=items,
        campaign=campaign,
        touchpoint=touchpoint,
        title=_("What do customers expect here?"),
        lead=next(f for f in instrument.forms if f["code"] == form_code)
        .get("instructions", {})
        .get(_lang(), ""),
    ), (400 if form.errors else 200)


def _scale_choices(item, blank_label: str, extra=()):
    points = [(str(p), str(p)) for p in range(item.params["min"], item.params["max"] + 1)]
    return options([("", blank_label), *extra, *points])


@bp.route("/<int:campaign_id>/standards/<int:touchpoint_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def standards(campaign_id: int, touchpoint_id: int):
    """Let the quality team rate S (or record no standard) and C for each item."""
    campaign, touchpoint = _campaign_and_touchpoint(campaign_id, touchpoint_id)
    items = scored_items(instrument_of(campaign))
    fields = {}
    for item in items:
        fields[f"S-{item.code}"] = SelectField(
            item.label[_lang()],
            choices=_scale_choices(item, _("not rated"), [("none", _("no documented standard"))]),
            validators=[Optional()],
        )
        fields[f"C-{item.code}"] = SelectField(
            item.label[_lang()],
            choices=_scale_choices(item, _("not promised / not rated")),
            validators=[Optional()],
        )
    form_class = type("SpecificationForm", (FlaskForm,), fields)
    keys = {"campaign_id": campaign.id, "touchpoint_id": touchpoint.id}
    current = {}
    for row in db.session.scalars(sa.select(SpecificationRating).filter_by(**keys)):
        current[f"S-{row.item_code}"] = str(row.value) if row.has_standard else "none"
    for row in db.session.scalars(sa.select(CommunicationRating).filter_by(**keys)):
        current[f"C-{row.item_code}"] = str(row.value)
    form = form_class(data=current)
    if form.validate_on_submit():
        ops.record_specification(
            campaign,
            current_user,
            touchpoint.id,
            {i.code: (form[f"S-{i.code}"].data, form[f"C-{i.code}"].data) for i in items},
        )
        db.session.commit()
        flash(_("Ratings saved."), "success")
        return redirect(url_for(".overview", campaign_id=campaign.id))
    return render_template(
        "surveys/internal_grid.html",
        form=form,
        items=items,
        campaign=campaign,
        touchpoint=touchpoint,
        columns=[("S", _("Standard (S)")), ("C", _("Promise (C)"))],
        title=_("Standards and promises"),
        lead=_(
            "S: how demanding the documented standard for this item is at this touchpoint, "
            "on the survey's scale, or that there is none. C: how strongly advertising, "
            "the web, contracts or signage promise it."
        ),
    ), (400 if form.errors else 200)


@bp.route("/<int:campaign_id>/delivery/<int:touchpoint_id>/<int:site_id>", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def delivery(campaign_id: int, touchpoint_id: int, site_id: int):
    """Let a supervisor rate how each item is actually delivered (D) at a site."""
    campaign, touchpoint = _campaign_and_touchpoint(campaign_id, touchpoint_id)
    site = db.get_or_404(Site, site_id)
    abort_unless_site(site.id)
    items = scored_items(instrument_of(campaign))
    fields = {
        f"D-{item.code}": SelectField(
            item.label[_lang()],
            choices=_scale_choices(item, _("not rated")),
            validators=[Optional()],
        )
        for item in items
    }
    form_class = type("DeliveryForm", (FlaskForm,), fields)
    current = {
        f"D-{r.item_code}": str(r.value)
        for r in db.session.scalars(
            sa.select(DeliveryRating).filter_by(
                campaign_id=campaign.id,
                rated_by_id=current_user.id,
                touchpoint_id=touchpoint.id,
                site_id=site.id,
            )
        )
    }
    form = form_class(data=current)
    if form.validate_on_submit():
        ops.record_delivery(
            campaign,
            current_user,
            touchpoint.id,
            site.id,
            {i.code: form[f"D-{i.code}"].data for i in items},
        )
        db.session.commit()
        flash(_("Ratings saved."), "success")
        return redirect(url_for(".overview", campaign_id=campaign.id))
    return render_template(
        "surveys/internal_grid.html",
        form=form,
        items=items,
        campaign=campaign,
        touchpoint=touchpoint,
        site=site,
        columns=[("D", _("Delivered (D)"))],
        title=_("How is it delivered?"),
        lead=_(
            "Rate, on the survey's scale, how each item is actually delivered at this "
            "touchpoint and site, as you supervise it."
        ),
    ), (400 if form.errors else 200)


@bp.route("/<int:campaign_id>/staff", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def staff(campaign_id: int):
    """Let a staff member answer the internal scales, anonymously and once."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if ops.has_answered_staff_survey(campaign, current_user):
        flash(_("You have already answered this survey. Thank you."), "info")
        return redirect(url_for(".overview", campaign_id=campaign.id))
    try:
        version = ops.latest_version("gap-internal")
    except SurveyError as missing:
        flash(str(missing), "error")
        return redirect(url_for(".overview", campaign_id=campaign.id))
    instrument = from_definition(version.definition)
    form_code = instrument.forms[0]["code"]
    items = [i for i in instrument.items if i.type == "likert" and form_code in i.forms]
    form = _likert_form(items, form_code, _lang())()
    if form.validate_on_submit():
        try:
            ops.record_staff_answers(
                campaign, current_user, version, {i.code: _value(form[i.code].data) for i in items}
            )
            db.session.commit()
        except (SurveyError, sa.exc.IntegrityError):
            db.session.rollback()
            flash(_("You have already answered this survey. Thank you."), "info")
            return redirect(url_for(".overview", campaign_id=campaign.id))
        flash(
            _("Thank you. Your answers are anonymous: they are stored without your name."),
            "success",
        )
        return redirect(url_for(".overview", campaign_id=campaign.id))
    return render_template(
        "surveys/internal_likert.html",
        form=form,
        items=items,
        campaign=campaign,
        touchpoint=None,
        title=_("How we work"),
        lead=_(
            "Your answers are anonymous: they are stored without your name, and no result "
            "is shown for a group of fewer than five people."
        ),
    ), (400 if form.errors else 200)
