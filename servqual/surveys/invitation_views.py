"""Staff pages for contact lists and personal invitations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from servqual.accounts.models import Role
from servqual.extensions import db
from servqual.forms import ConfirmForm, options
from servqual.security import roles_required
from servqual.surveys import invitations
from servqual.surveys.invitation_models import Contact, Invitation
from servqual.surveys.models import Campaign, CampaignStatus
from servqual.surveys.tables import ENCODINGS, TableError, read_table

bp = Blueprint("invitations", __name__, template_folder="templates")


class ContactUploadForm(FlaskForm):
    """A contact list to import."""

    file = FileField(
        _l("Contact list (CSV or XLSX)"),
        validators=[FileRequired()],
        description=_l("Columns: name, email, customer_id, segment, consent (yes/no)."),
    )
    encoding = SelectField(
        _l("Encoding (CSV only)"), choices=options(ENCODINGS.items()), default="auto"
    )
    dry_run = BooleanField(_l("Only check the file; import nothing"))


class InviteForm(FlaskForm):
    """Which public link the invitations lead to."""

    link_id = SelectField(_l("Invite to"), coerce=int)


@bp.route("/contacts", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def contacts():
    """List contacts and import a contact list (all rows or none)."""
    form = ContactUploadForm()
    outcome, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            table = read_table(upload.read(), upload.filename or "", form.encoding.data)
            outcome = invitations.import_contacts(
                table, source=f"list {upload.filename}", dry_run=form.dry_run.data
            )
        except (TableError, ValueError) as problem:
            form.file.errors.append(str(problem))
            status = 400
        else:
            if outcome.problems:
                db.session.rollback()
                status = 400
                flash(
                    _("Nothing was imported: fix the rows listed below and upload again."), "error"
                )
            elif form.dry_run.data:
                flash(
                    _(
                        "The file is valid: %(n)d contacts, %(c)d with consent. Nothing was "
                        "imported.",
                        n=len(table.rows),
                        c=outcome.with_consent,
                    ),
                    "info",
                )
            else:
                db.session.commit()
                flash(
                    _(
                        "%(new)d contacts added, %(old)d updated; %(c)d may be invited.",
                        new=outcome.created,
                        old=outcome.updated,
                        c=outcome.with_consent,
                    ),
                    "success",
                )
                return redirect(url_for(".contacts"))
    elif form.errors:
        status = 400
    rows = db.session.scalars(sa.select(Contact).order_by(Contact.name).limit(500)).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Contact))
    return render_template(
        "surveys/contacts.html", form=form, contacts=rows, total=total, outcome=outcome
    ), status


def _campaign(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


@bp.route("/campaigns/<int:campaign_id>/invitations")
@roles_required(Role.MANAGER)
def campaign_invitations(campaign_id: int):
    """Show each invitation's status, with the actions to invite, send and remind."""
    campaign = _campaign(campaign_id)
    form = InviteForm()
    form.link_id.choices = _link_choices(campaign)
    counts = dict(
        db.session.execute(
            sa.select(Invitation.status, sa.func.count())
            .where(Invitation.campaign_id == campaign.id)
            .group_by(Invitation.status)
        ).all()
    )
    rows = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.campaign_id == campaign.id)
        .order_by(Invitation.id)
        .limit(500)
    ).all()
    return render_template(
        "surveys/invitations.html",
        campaign=campaign,
        form=form,
        counts=counts,
        invitations=rows,
        confirm=ConfirmForm(),
    )


def _link_choices(campaign: Campaign):
    return options(
        (link.id, f"{link.touchpoint.name}" + (f" · {link.site.name}" if link.site else ""))
        for link in campaign.links
    )


@bp.route("/campaigns/<int:campaign_id>/invitations/create", methods=["POST"])
@roles_required(Role.MANAGER)
def create_invitations(campaign_id: int):
    """Invite every contact with consent who has no invitation to this campaign yet."""
    campaign = _campaign(campaign_id)
    form = InviteForm()
    form.link_id.choices = _link_choices(campaign)
    if not form.validate_on_submit():
        abort(400, _("Choose the link the invitations lead to."))
    link = next(link for link in campaign.links if link.id == form.link_id.data)
    created = invitations.invite(campaign, link)
    db.session.commit()
    flash(_("%(n)d invitations prepared. Send them when ready.", n=created), "success")
    return redirect(url_for(".campaign_invitations", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/invitations/<any(send, remind):action>", methods=["POST"])
@roles_required(Role.MANAGER)
def send_invitations(campaign_id: int, action: str):
    """E-mail the pending invitations, or remind those who have not answered."""
    campaign = _campaign(campaign_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if campaign.status != CampaignStatus.OPEN:
        flash(_("Open the campaign before sending invitations."), "error")
        return redirect(url_for(".campaign_invitations", campaign_id=campaign.id))
    sender = invitations.send_pending if action == "send" else invitations.send_reminders
    sent, failed = sender(campaign)
    db.session.commit()
    flash(
        _("%(sent)d e-mails sent, %(failed)d failed.", sent=sent, failed=failed),
        "success" if not failed else "error",
    )
    return redirect(url_for(".campaign_invitations", campaign_id=campaign.id))
