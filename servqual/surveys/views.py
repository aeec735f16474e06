"""Staff pages for campaigns: create, open and close them, and hand out their links."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from servqual.accounts.models import Role
from servqual.extensions import db
from servqual.forms import ConfirmForm, options
from servqual.instruments.format import from_definition
from servqual.instruments.models import Instrument, InstrumentVersion
from servqual.security import abort_unless_site, roles_required
from servqual.service.models import Site, Touchpoint
from servqual.surveys import distribution, operations
from servqual.surveys.forms import CampaignForm
from servqual.surveys.models import Campaign, CampaignStatus, SurveyLink
from servqual.surveys.steps import missing_measures

bp = Blueprint("surveys", __name__, template_folder="templates", url_prefix="/campaigns")

STAFF = (Role.MANAGER,)


def _version_choices():
    rows = db.session.execute(
        sa.select(InstrumentVersion, Instrument.key)
        .join(Instrument)
        .where(Instrument.kind == "customer")
        .order_by(Instrument.key, InstrumentVersion.number.desc())
    )
    return options((v.id, f"{key} v{v.number}") for v, key in rows)


def _prepare(form: CampaignForm) -> None:
    form.instrument_version_id.choices = _version_choices()
    form.touchpoints.choices = options(
        (tp.id, f"{tp.cycle.name} › {tp.name}")
        for tp in db.session.scalars(
            sa.select(Touchpoint).order_by(Touchpoint.cycle_id, Touchpoint.position)
        )
    )
    form.sites.choices = options(
        (s.id, s.name) for s in db.session.scalars(sa.select(Site).order_by(Site.name))
    )


def _apply(form: CampaignForm, campaign: Campaign) -> bool:
    version = db.session.get(InstrumentVersion, form.instrument_version_id.data)
    if (
        campaign.id is not None
        and campaign.status != CampaignStatus.DRAFT
        and (version.id != campaign.instrument_version_id or form.format.data != campaign.format)
    ):
        form.instrument_version_id.errors.append(
            _(
                "The instrument and format of an open or closed campaign cannot change; "
                "start a new campaign (wave) instead."
            )
        )
        return False
    missing = missing_measures(from_definition(version.definition), form.format.data)
    if missing:
        form.format.errors.append(
            _("This instrument has no questions for: %(measures)s.", measures=", ".join(missing))
        )
        return False
    for name in (
        "name",
        "wave",
        "format",
        "opens_on",
        "closes_on",
        "ask_importance",
        "ask_overall",
        "ask_comment",
        "is_anonymous",
    ):
        setattr(
            campaign,
            name,
            form[name].data.strip() if isinstance(form[name].data, str) else form[name].data,
        )
    campaign.instrument_version = version
    campaign.touchpoints = list(
        db.session.scalars(sa.select(Touchpoint).where(Touchpoint.id.in_(form.touchpoints.data)))
    )
    campaign.sites = list(
        db.session.scalars(sa.select(Site).where(Site.id.in_(form.sites.data or [])))
    )
    return True


@bp.route("/")
@roles_required(*STAFF)
def campaigns():
    """List campaigns, newest wave first."""
    rows = db.session.scalars(
        sa.select(Campaign).order_by(Campaign.wave.desc(), Campaign.id.desc())
    )
    return render_template("surveys/campaigns.html", campaigns=rows.all(), confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def campaign_new():
    """Create a campaign in draft."""
    form = CampaignForm()
    _prepare(form)
    if form.validate_on_submit():
        campaign = Campaign(status=CampaignStatus.DRAFT)
        if _apply(form, campaign):
            db.session.add(campaign)
            db.session.commit()
            flash(_("Campaign created. Open it when you are ready to collect answers."), "success")
            return redirect(url_for(".campaign_links", campaign_id=campaign.id))
    return render_template("surveys/campaign_form.html", form=form, campaign=None), (
        400 if form.errors else 200
    )


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def campaign_edit(campaign_id: int):
    """Edit a campaign; its instrument and format are fixed once it has opened."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign)
    _prepare(form)
    if request.method == "GET":
        form.touchpoints.data = [tp.id for tp in campaign.touchpoints]
        form.sites.data = [s.id for s in campaign.sites]
    if form.validate_on_submit() and _apply(form, campaign):
        if campaign.status == CampaignStatus.OPEN:
            operations.ensure_links(campaign)
        db.session.commit()
        flash(_("Changes saved."), "success")
        return redirect(url_for(".campaign_links", campaign_id=campaign.id))
    return render_template("surveys/campaign_form.html", form=form, campaign=campaign), (
        400 if form.errors else 200
    )


@bp.route("/<int:campaign_id>/status/<any(open, closed):status>", methods=["POST"])
@roles_required(*STAFF)
def campaign_status(campaign_id: int, status: str):
    """Open or close a campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        operations.set_status(campaign, CampaignStatus(status))
    except operations.SurveyError as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for(".campaigns")), 303
    db.session.commit()
    flash(
        _("The campaign is now %(status)s.", status=campaign.status_enum.label.lower()), "success"
    )
    return redirect(url_for(".campaign_links", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/links")
@roles_required(*STAFF)
def campaign_links(campaign_id: int):
    """Show the campaign's public links (those of the user's sites) with QR codes."""
    campaign = db.get_or_404(Campaign, campaign_id)
    links = [link for link in campaign.links if _may_see(link)]
    links.sort(key=lambda link: (link.touchpoint.position, link.site.name if link.site else ""))
    return render_template(
        "surveys/links.html",
        campaign=campaign,
        links=links,
        urls={link.id: distribution.public_url(link) for link in links},
        confirm=ConfirmForm(),
    )


def _may_see(link: SurveyLink) -> bool:
    return link.site_id is None or current_user.can_see_site(link.site_id)


def _link_for_user(link_id: int) -> SurveyLink:
    link = db.get_or_404(SurveyLink, link_id)
    if link.site_id is not None:
        abort_unless_site(link.site_id)
    return link


@bp.route("/links/<int:link_id>/qr.<any(svg, png):kind>")
@roles_required(*STAFF)
def link_qr(link_id: int, kind: str):
    """Download a link's QR code."""
    link = _link_for_user(link_id)
    mimetype = "image/svg+xml" if kind == "svg" else "image/png"
    return Response(
        distribution.qr_code(link, kind),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="qr-{link.slug}.{kind}"'},
    )


@bp.route("/links/<int:link_id>/poster.pdf")
@roles_required(*STAFF)
def link_poster(link_id: int):
    """Download a printable poster with the link's QR code."""
    link = _link_for_user(link_id)
    return Response(
        distribution.poster_pdf(link),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="poster-{link.slug}.pdf"'},
    )
