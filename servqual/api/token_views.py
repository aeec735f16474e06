"""Staff pages for a campaign's API tokens: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from servqual.accounts.models import Role
from servqual.api import operations
from servqual.api.forms import TokenForm
from servqual.api.models import ApiToken
from servqual.extensions import db
from servqual.forms import ConfirmForm, options
from servqual.security import abort_unless_site, roles_required
from servqual.surveys.models import Campaign, SurveyLink

bp = Blueprint("api_tokens", __name__, template_folder="templates", url_prefix="/campaigns")

STAFF = (Role.MANAGER,)


def _sees_every_site() -> bool:
    return current_user.site_ids is None


def _may_manage(token: ApiToken) -> bool:
    """Site-limited staff manage only tokens bound to a link at one of their sites."""
    if token.link is None:
        return _sees_every_site()
    return token.link.site_id is None or current_user.can_see_site(token.link.site_id)


def _link_label(link: SurveyLink) -> str:
    return link.touchpoint.name + (f" · {link.site.name}" if link.site else "")


def _visible_links(campaign: Campaign) -> list[SurveyLink]:
    links = [
        link
        for link in campaign.links
        if link.site_id is None or current_user.can_see_site(link.site_id)
    ]
    return sorted(links, key=lambda k: (k.touchpoint.position, k.site.name if k.site else ""))


def _prepare(form: TokenForm, campaign: Campaign) -> None:
    choices = [(link.id, _link_label(link)) for link in _visible_links(campaign)]
    if _sees_every_site():
        choices.insert(0, ("", _("Any link of the campaign")))
    form.link_id.choices = options(choices)


@bp.route("/<int:campaign_id>/api-tokens", methods=["GET", "POST"])
@roles_required(*STAFF)
def tokens(campaign_id: int):
    """List a campaign's API tokens and create one; a new secret is shown only here, once."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = TokenForm()
    _prepare(form, campaign)
    created, secret, status = None, None, 200
    if form.validate_on_submit():
        link = None
        if form.link_id.data is not None:
            link = db.get_or_404(SurveyLink, form.link_id.data)
            if link.site_id is not None:
                abort_unless_site(link.site_id)
        elif not _sees_every_site():
            abort(403)
        try:
            created, secret = operations.create_token(campaign, form.name.data, link, current_user)
        except operations.TokenError as refused:
            db.session.rollback()
            form.name.errors.append(str(refused))
            status = 400
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
            _prepare(form, campaign)
    elif form.errors:
        status = 400
    rows = [t for t in operations.tokens_of(campaign) if _may_manage(t)]
    return render_template(
        "api/tokens.html",
        campaign=campaign,
        form=form,
        tokens=rows,
        created=created,
        secret=secret,
    ), status


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@roles_required(*STAFF)
def revoke(token_id: int):
    """Ask to confirm, then revoke a token: the integration stops working at once."""
    token = db.get_or_404(ApiToken, token_id)
    if not _may_manage(token):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        if operations.revoke_token(token):
            db.session.commit()
            flash(_("The token “%(name)s” was revoked.", name=token.name), "success")
        return redirect(url_for(".tokens", campaign_id=token.campaign_id), 303)
    return render_template("api/revoke.html", token=token, form=form)
