"""List, create, edit, reorder and delete pages for the service model's tables.

Each table is described once by a ``Resource``; ``register`` adds its five routes to a
blueprint, all behind the administrator role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from servqual.accounts.models import Role
from servqual.extensions import db
from servqual.forms import ConfirmForm
from servqual.modelbase import dependents_of
from servqual.security import roles_required
from servqual.service import operations


@dataclass(frozen=True)
class Resource:
    """How one table of the service model is listed and edited."""

    name: str
    model: type
    form: type[FlaskForm]
    singular: Any
    plural: Any
    columns: list[tuple[Any, Callable[[Any], Any]]]
    #: Column whose equal values form one ordered list (``None``: the whole table).
    scope: str | None = None
    orderable: bool = False
    #: Many-to-many form fields: field name -> related model.
    links: dict[str, type] = field(default_factory=dict)
    #: Fills choices of select fields.
    prepare: Callable[[FlaskForm], None] = lambda form: None
    group: Callable[[Any], str] | None = None
    intro: Any = None
    #: Fills in what a new row needs besides the form; returns a message if it cannot.
    before_create: Callable[[Any], str | None] = lambda instance: None

    def describe(self, instance: Any) -> str:
        """Name a row in messages."""
        for attribute in ("name", "code", "text"):
            value = getattr(instance, attribute, None)
            if value:
                return value if len(value) <= 60 else value[:57] + "…"
        return f"#{instance.id}"


def _values(resource: Resource, form: FlaskForm) -> dict[str, Any]:
    values = {}
    for name, form_field in form._fields.items():
        if name == "csrf_token" or name in resource.links:
            continue
        data = form_field.data
        values[name] = data.strip() if isinstance(data, str) else data
        if values[name] == "":
            values[name] = None
    return values


def _apply(resource: Resource, instance: Any, form: FlaskForm) -> bool:
    values = _values(resource, form)
    clashes = operations.unique_clashes(instance, values)
    for name in clashes:
        form[name].errors.append(_("This value is already used by another record."))
    if clashes:
        return False
    for name, value in values.items():
        setattr(instance, name, value)
    for name, related in resource.links.items():
        ids = form[name].data or []
        chosen = db.session.scalars(sa.select(related).where(related.id.in_(ids))) if ids else []
        setattr(instance, name, list(chosen))
    return True


def register(bp: Blueprint, resource: Resource) -> None:
    """Add the list, new, edit, move and delete routes of ``resource`` to ``bp``."""
    model, name = resource.model, resource.name
    guard = roles_required(Role.ADMIN)

    def ordered():
        order = [getattr(model, resource.scope)] if resource.scope else []
        if resource.orderable:
            order.append(model.position)
        order.append(getattr(model, "name", model.id))
        return db.session.scalars(sa.select(model).order_by(*order)).all()

    def list_view():
        return render_template(
            "service/list.html", resource=resource, rows=ordered(), confirm=ConfirmForm()
        )

    def form_page(form, instance, status=200):
        return render_template(
            "service/form.html", resource=resource, form=form, instance=instance
        ), (400 if form.errors else status)

    def new_view():
        form = resource.form()
        resource.prepare(form)
        if form.validate_on_submit():
            instance = model()
            problem = resource.before_create(instance)
            if problem:
                flash(problem, "error")
            elif _apply(resource, instance, form):
                if resource.orderable:
                    instance.position = operations.next_position(model, resource.scope, instance)
                db.session.add(instance)
                db.session.commit()
                flash(_("%(what)s created.", what=resource.singular), "success")
                return redirect(url_for(f".{name}_list"))
        return form_page(form, None)

    def edit_view(row_id: int):
        instance = db.get_or_404(model, row_id)
        form = resource.form(obj=instance)
        resource.prepare(form)
        if request.method == "GET":
            for link in resource.links:
                form[link].data = [related.id for related in getattr(instance, link)]
        if form.validate_on_submit():
            old_scope = getattr(instance, resource.scope) if resource.scope else None
            if _apply(resource, instance, form):
                if (
                    resource.orderable
                    and resource.scope
                    and old_scope != getattr(instance, resource.scope)
                ):
                    instance.position = operations.next_position(model, resource.scope, instance)
                db.session.commit()
                flash(_("Changes saved."), "success")
                return redirect(url_for(f".{name}_list"))
        return form_page(form, instance)

    def delete_view(row_id: int):
        instance = db.get_or_404(model, row_id)
        label = resource.describe(instance)
        form = ConfirmForm()
        status = 200
        if form.validate_on_submit():
            try:
                operations.delete_guarded(instance, label)
            except operations.DeleteRefused as refused:
                db.session.rollback()
                flash(str(refused), "error")
                status = 409
            else:
                db.session.commit()
                flash(_("“%(name)s” deleted.", name=label), "success")
                return redirect(url_for(f".{name}_list"))
        return render_template(
            "service/confirm_delete.html",
            resource=resource,
            instance=instance,
            label=label,
            dependents=dependents_of(instance),
            form=form,
        ), status

    def move_view(row_id: int, direction: str):
        instance = db.get_or_404(model, row_id)
        if ConfirmForm().validate_on_submit():
            operations.move(instance, resource.scope, -1 if direction == "up" else 1)
            db.session.commit()
        return redirect(url_for(f".{name}_list"))

    base = f"/admin/{name.replace('_', '-')}"
    routes = [
        ("", "list", list_view, ["GET"]),
        ("/new", "new", new_view, ["GET", "POST"]),
        ("/<int:row_id>/edit", "edit", edit_view, ["GET", "POST"]),
        ("/<int:row_id>/delete", "delete", delete_view, ["GET", "POST"]),
    ]
    if resource.orderable:
        routes.append(("/<int:row_id>/move/<any(up, down):direction>", "move", move_view, ["POST"]))
    for path, action, view, methods in routes:
        view.__name__ = f"{name}_{action}"
        view.__doc__ = f"{action.capitalize()} {name.replace('_', ' ')}."
        bp.add_url_rule(base + path, f"{name}_{action}", guard(view), methods=methods)
