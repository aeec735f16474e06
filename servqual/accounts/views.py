"""Login, logout and the administration of staff accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user

from servqual.accounts import operations
from servqual.accounts.forms import LoginForm, UserForm
from servqual.accounts.models import Role, User
from servqual.extensions import db, limiter
from servqual.forms import options
from servqual.security import roles_required, safe_next
from servqual.service.models import Site

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_login(manager: LoginManager) -> None:
    """Configure Flask-Login: the login page, its message and the session loader."""
    manager.login_view = "accounts.login"
    manager.login_message = _l("Please sign in to see this page.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(operations.user_for_token)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Wrong e-mail or password."), "error")
        else:
            next_url = safe_next(request.args.get("next"))
            session.clear()  # a fresh session: nothing from before the login survives
            token = operations.open_session(user)
            db.session.commit()
            user.login_token = token
            login_user(user)
            session.permanent = True
            return redirect(next_url or url_for("main.home"))
    status = 200
    if request.method == "POST":
        status = 400 if form.errors else 401
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """End this login session on the server and in the browser."""
    if current_user.is_authenticated and current_user.login_token:
        operations.end_session(current_user.login_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


def _site_choices():
    sites = db.session.scalars(sa.select(Site).order_by(Site.name))
    return options((site.id, site.name) for site in sites)


@bp.route("/admin/users")
@roles_required(Role.ADMIN)
def users():
    """List staff accounts."""
    rows = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template("accounts/users.html", users=rows)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    """Create a staff account."""
    form = UserForm()
    form.sites.choices = _site_choices()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Give the new account a password."))
        else:
            try:
                operations.create_user(
                    form.email.data,
                    form.name.data,
                    form.password.data,
                    form.role.data,
                    _sites(form.sites.data),
                )
            except operations.AccountError as error:
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Account created."), "success")
                return redirect(url_for("accounts.users"))
    return _form_page(form, None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    """Change a staff account's name, role, sites, status or password."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.sites.choices = _site_choices()
    if request.method == "GET":
        form.sites.data = [site.id for site in user.sites]
    if form.validate_on_submit():
        email = operations.normalise_email(form.email.data)
        taken = db.session.scalar(sa.select(User.id).where(User.email == email, User.id != user.id))
        if taken:
            form.email.errors.append(_("Another account uses this e-mail."))
        elif user.id == current_user.id and (
            form.role.data != Role.ADMIN or not form.is_enabled.data
        ):
            form.role.errors.append(_("You cannot remove your own administrator access."))
        else:
            try:
                if form.password.data:
                    operations.set_password(user, form.password.data)
            except operations.AccountError as error:
                form.password.errors.append(str(error))
            else:
                user.name = form.name.data.strip()
                user.email = email
                user.role = form.role.data
                user.is_enabled = form.is_enabled.data
                user.sites = _sites(form.sites.data)
                if not user.is_enabled:
                    operations.end_all_sessions(user)
                db.session.commit()
                flash(_("Account saved."), "success")
                return redirect(url_for("accounts.users"))
    return _form_page(form, user)


def _sites(ids: list[int] | None) -> list[Site]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Site).where(Site.id.in_(ids))))


def _form_page(form: UserForm, user: User | None):
    status = 400 if form.errors else 200
    return render_template("accounts/user_form.html", form=form, user=user), status
