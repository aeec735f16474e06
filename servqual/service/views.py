"""Administration of the service model: organisation, sites, channels, cycles, promise."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from servqual.accounts.models import Role
from servqual.extensions import db
from servqual.forms import ConfirmForm, options
from servqual.instruments.queries import mappable_items
from servqual.security import roles_required
from servqual.service import crud, operations, queries
from servqual.service.forms import (
    ChannelForm,
    CycleForm,
    ExternalPromiseForm,
    OrganisationForm,
    PillarForm,
    PromiseForm,
    SiteForm,
    StandardForm,
    TouchpointForm,
)
from servqual.service.models import (
    Channel,
    ExternalPromise,
    Pillar,
    PromiseKind,
    ServiceCycle,
    ServicePromise,
    Site,
    Standard,
    Touchpoint,
)

bp = Blueprint("service", __name__, template_folder="templates")


def _choices(model, label=lambda row: row.name):
    order = [model.position] if hasattr(model, "position") else []
    rows = db.session.scalars(sa.select(model).order_by(*order, model.name))
    return options((row.id, label(row)) for row in rows)


def _prepare_touchpoint(form):
    form.cycle_id.choices = _choices(ServiceCycle)
    form.channel_id.choices = _choices(Channel)
    form.sites.choices = _choices(Site)


def _prepare_standard(form):
    form.pillar_id.choices = _choices(Pillar)
    form.touchpoints.choices = _choices(Touchpoint, lambda tp: f"{tp.cycle.name} › {tp.name}")


def _attach_to_promise(pillar: Pillar) -> str | None:
    current = queries.promise()
    if current is None:
        return _("Write the service promise before adding its pillars.")
    # By id, not ``pillar.promise = current``: the backref would put the still-unsaved
    # pillar into ``current.pillars``, and the uniqueness queries' autoflush warns
    # ("not in session, add operation ... will not proceed").
    pillar.promise_id = current.id
    return None


def _prepare_promise(form):
    form.touchpoint_id.choices = [
        SelectChoice(value="", label=_("— none in particular —")),
        *_choices(Touchpoint, lambda tp: f"{tp.cycle.name} › {tp.name}"),
    ]


def _names(rows) -> str:
    return ", ".join(row.name for row in rows) or _("all")


RESOURCES = [
    crud.Resource(
        name="sites",
        model=Site,
        form=SiteForm,
        singular=_l("Site"),
        plural=_l("Sites"),
        intro=_l("Branches, stores, offices and contact centres where service is given."),
        columns=[
            (_l("Code"), lambda r: r.code),
            (_l("Name"), lambda r: r.name),
            (_l("City"), lambda r: r.city or ""),
            (_l("Active"), lambda r: _("yes") if r.is_active else _("no")),
        ],
    ),
    crud.Resource(
        name="channels",
        model=Channel,
        form=ChannelForm,
        singular=_l("Channel"),
        plural=_l("Channels"),
        intro=_l("The ways customers reach you: face to face, phone, web, app, point of sale …"),
        orderable=True,
        columns=[
            (_l("Code"), lambda r: r.code),
            (_l("Name"), lambda r: r.name),
            (_l("Kind"), lambda r: r.kind_label),
        ],
    ),
    crud.Resource(
        name="cycles",
        model=ServiceCycle,
        form=CycleForm,
        singular=_l("Service cycle"),
        plural=_l("Service cycles"),
        intro=_l("A customer's journey, from the first contact to the last, as moments of truth."),
        orderable=True,
        columns=[
            (_l("Name"), lambda r: r.name),
            (_l("Touchpoints"), lambda r: len(r.touchpoints)),
        ],
    ),
    crud.Resource(
        name="touchpoints",
        model=Touchpoint,
        form=TouchpointForm,
        singular=_l("Touchpoint"),
        plural=_l("Touchpoints"),
        intro=_l("Moments of truth: where the customer meets the service and judges it."),
        orderable=True,
        scope="cycle_id",
        links={"sites": Site},
        prepare=_prepare_touchpoint,
        group=lambda r: r.cycle.name,
        columns=[
            (_l("Code"), lambda r: r.code),
            (_l("Name"), lambda r: r.name),
            (_l("Channel"), lambda r: r.channel.name),
            (_l("Sites"), lambda r: _names(r.sites)),
        ],
    ),
    crud.Resource(
        name="pillars",
        model=Pillar,
        form=PillarForm,
        singular=_l("Pillar"),
        plural=_l("Pillars"),
        intro=_l("The pillars that hold up the service promise."),
        orderable=True,
        before_create=_attach_to_promise,
        columns=[
            (_l("Code"), lambda r: r.code),
            (_l("Name"), lambda r: r.name),
            (_l("Standards"), lambda r: len(r.standards)),
        ],
    ),
    crud.Resource(
        name="standards",
        model=Standard,
        form=StandardForm,
        singular=_l("Standard"),
        plural=_l("Standards"),
        intro=_l(
            "Service standards (service stars): measurable rules that make a pillar concrete."
        ),
        orderable=True,
        scope="pillar_id",
        links={"touchpoints": Touchpoint},
        prepare=_prepare_standard,
        group=lambda r: r.pillar.name,
        columns=[
            (_l("Code"), lambda r: r.code),
            (_l("Standard"), lambda r: r.name),
            (_l("Kind"), lambda r: r.kind_label),
            (_l("Target"), lambda r: r.target_text),
            (_l("Touchpoints"), lambda r: _names(r.touchpoints)),
        ],
    ),
]

RESOURCES.append(
    crud.Resource(
        name="promises",
        model=ExternalPromise,
        form=ExternalPromiseForm,
        singular=_l("External promise"),
        plural=_l("External promises"),
        intro=_l(
            "The register of what advertising, the web, contracts and signage promise "
            "customers. The quality team rates from it how strongly each item is "
            "promised (C, for Gap 4)."
        ),
        prepare=_prepare_promise,
        columns=[
            (_l("Where it is made"), lambda r: PromiseKind(r.kind).label),
            (_l("What it promises"), lambda r: r.text),
            (_l("Where it appears"), lambda r: r.location),
            (_l("Touchpoint"), lambda r: r.touchpoint.name if r.touchpoint else ""),
        ],
    )
)

for _resource in RESOURCES:
    crud.register(bp, _resource)


@bp.route("/admin/")
@roles_required(Role.ADMIN)
def overview():
    """Show the whole service model on one page, with what is still missing."""
    return render_template("service/overview.html", summary=queries.model_summary())


@bp.route("/admin/organisation", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def organisation():
    """Edit the organisation's name, country and time zone."""
    org = queries.organisation()
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        form.populate_obj(org)
        org.country = org.country.upper()
        db.session.add(org)
        db.session.commit()
        flash(_("Changes saved."), "success")
        return redirect(url_for(".overview"))
    return render_template("service/simple_form.html", form=form, title=_("Organisation")), (
        400 if form.errors else 200
    )


@bp.route("/admin/promise", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def promise():
    """Edit the service promise statement."""
    current = queries.promise() or ServicePromise(statement="")
    form = PromiseForm(obj=current)
    if form.validate_on_submit():
        form.populate_obj(current)
        db.session.add(current)
        db.session.commit()
        flash(_("Changes saved."), "success")
        return redirect(url_for(".overview"))
    return render_template("service/simple_form.html", form=form, title=_("Service promise")), (
        400 if form.errors else 200
    )


@bp.route("/admin/item-pillars", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def item_pillars():
    """Map the survey items to the pillars of the promise (a matrix of checkboxes)."""
    items = mappable_items()
    pillars = db.session.scalars(sa.select(Pillar).order_by(Pillar.position)).all()
    form = ConfirmForm()
    if form.validate_on_submit():
        pillar_ids = {p.id for p in pillars}
        mapping = {}
        for item in items:
            chosen = set()
            for raw in request.form.getlist(f"item-{item.code}"):
                if not raw.isdigit() or int(raw) not in pillar_ids:
                    abort(400, _("The form contained an unknown pillar; nothing was saved."))
                chosen.add(int(raw))
            mapping[item.code] = chosen
        operations.set_item_pillars(mapping)
        db.session.commit()
        flash(_("Item mapping saved."), "success")
        return redirect(url_for(".item_pillars"))
    return render_template(
        "service/item_pillars.html",
        items=items,
        pillars=pillars,
        mapped=queries.item_pillar_pairs(),
        form=form,
    )
