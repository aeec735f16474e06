"""Staff users, their roles and site limits, and server-side login sessions."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables, utcnow
from servqual.service.models import Site


class Role(enum.StrEnum):
    """What a staff member may do; managers and auditors may be limited to sites."""

    ADMIN = "admin"
    MANAGER = "manager"
    AUDITOR = "auditor"
    AGENT = "agent"

    @property
    def label(self) -> str:
        """Return the translated name of the role."""
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MANAGER: _l("Manager"),
    Role.AUDITOR: _l("Auditor"),
    Role.AGENT: _l("PQR agent"),
}

user_sites = sa.Table(
    "user_sites",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="RESTRICT"), primary_key=True),
)


class User(Timestamped, UserMixin, db.Model):
    """A staff member who signs in: administrator, manager, auditor or PQR agent."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'manager', 'auditor', 'agent')", name="role_known"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    sites: Mapped[list[Site]] = relationship(secondary=user_sites, order_by=Site.name)

    #: The login session this object was loaded for (set by the user loader).
    login_token = None

    @property
    def is_active(self) -> bool:
        """Disabled accounts cannot sign in (Flask-Login reads this)."""
        return self.is_enabled

    def get_id(self) -> str | None:
        """Identify the login session, not the user, so logout can end exactly it."""
        return self.login_token

    @property
    def role_enum(self) -> Role:
        """Return the role as a ``Role``."""
        return Role(self.role)

    def has_role(self, *roles: Role | str) -> bool:
        """Tell whether the user holds one of ``roles`` (administrators hold them all)."""
        return self.role == Role.ADMIN or self.role in {str(r) for r in roles}

    @property
    def site_ids(self) -> set[int] | None:
        """Return the sites this user is limited to, or ``None`` for every site."""
        if self.role == Role.ADMIN or not self.sites:
            return None
        return {site.id for site in self.sites}

    def can_see_site(self, site_id: int | None) -> bool:
        """Tell whether a record of ``site_id`` is within this user's sites."""
        allowed = self.site_ids
        return allowed is None or site_id in allowed


class LoginSession(db.Model):
    """One signed-in browser; logout or a password change ends it for good."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


describe_tables(
    user_sites=_l("staff members limited to it"),
    users=_l("staff accounts"),
    login_sessions=_l("login sessions"),
)
