"""Organisation, sites, channels, service cycles and touchpoints, promise, pillars, standards."""

from __future__ import annotations

import enum
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables, one_of

CODE = sa.String(32)


class Organisation(Timestamped, db.Model):
    """The organisation that runs servqual (one per installation)."""

    __tablename__ = "organisations"
    __table_args__ = (sa.CheckConstraint("length(country) = 2", name="country_iso2"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    country: Mapped[str] = mapped_column(sa.String(2), default="CO")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/Bogota")


class Site(Timestamped, db.Model):
    """A place where service is given: a branch, store, office or contact centre."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(CODE, unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    city: Mapped[str | None] = mapped_column(sa.String(120))
    address: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)


class ChannelKind(enum.StrEnum):
    """The medium through which a customer meets the organisation."""

    FACE_TO_FACE = "face_to_face"
    PHONE = "phone"
    WEB = "web"
    EMAIL = "email"
    MOBILE_APP = "mobile_app"
    POINT_OF_SALE = "point_of_sale"
    CHAT = "chat"
    EVENT = "event"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Return the translated name of the channel kind."""
        return str(CHANNEL_KIND_LABELS[self])


CHANNEL_KIND_LABELS = {
    ChannelKind.FACE_TO_FACE: _l("Face to face"),
    ChannelKind.PHONE: _l("Phone"),
    ChannelKind.WEB: _l("Web"),
    ChannelKind.EMAIL: _l("E-mail"),
    ChannelKind.MOBILE_APP: _l("Mobile app"),
    ChannelKind.POINT_OF_SALE: _l("Point of sale"),
    ChannelKind.CHAT: _l("Chat"),
    ChannelKind.EVENT: _l("Event"),
    ChannelKind.OTHER: _l("Other"),
}


class Channel(Timestamped, db.Model):
    """A contact channel (branch counter, phone line, web, app, point of sale …)."""

    __tablename__ = "channels"
    __table_args__ = (sa.CheckConstraint(one_of("kind", ChannelKind), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(CODE, unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def kind_label(self) -> str:
        """Return the translated kind."""
        return ChannelKind(self.kind).label


class ServiceCycle(Timestamped, db.Model):
    """A customer's journey through the organisation, as ordered moments of truth."""

    __tablename__ = "service_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)

    touchpoints: Mapped[list[Touchpoint]] = relationship(
        back_populates="cycle", order_by="Touchpoint.position", passive_deletes="all"
    )


touchpoint_sites = sa.Table(
    "touchpoint_sites",
    db.metadata,
    sa.Column(
        "touchpoint_id", sa.ForeignKey("touchpoints.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="RESTRICT"), primary_key=True),
)


class Touchpoint(Timestamped, db.Model):
    """A moment of truth: one step of a service cycle, on a channel, at some or all sites."""

    __tablename__ = "touchpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(CODE, unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_cycles.id", ondelete="RESTRICT"), index=True
    )
    channel_id: Mapped[int] = mapped_column(
        sa.ForeignKey("channels.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    cycle: Mapped[ServiceCycle] = relationship(back_populates="touchpoints")
    channel: Mapped[Channel] = relationship()
    #: Empty means the touchpoint exists at every site.
    sites: Mapped[list[Site]] = relationship(secondary=touchpoint_sites, order_by=Site.name)

    def is_at_site(self, site: Site) -> bool:
        """Tell whether this moment of truth happens at ``site``."""
        return not self.sites or site in self.sites


class ServicePromise(Timestamped, db.Model):
    """What the organisation promises its customers, held up by pillars."""

    __tablename__ = "service_promises"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[str] = mapped_column(sa.Text)
    adopted_on: Mapped[date | None] = mapped_column(sa.Date)

    pillars: Mapped[list[Pillar]] = relationship(
        back_populates="promise", order_by="Pillar.position", passive_deletes="all"
    )


class Pillar(Timestamped, db.Model):
    """One pillar of the service promise ("agility", "warmth", "we keep our word")."""

    __tablename__ = "pillars"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_promises.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(CODE, unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)

    promise: Mapped[ServicePromise] = relationship(back_populates="pillars")
    standards: Mapped[list[Standard]] = relationship(
        back_populates="pillar", order_by="Standard.position", passive_deletes="all"
    )
    item_links: Mapped[list[ItemPillar]] = relationship(
        back_populates="pillar", cascade="all, delete-orphan", passive_deletes=True
    )


class StandardKind(enum.StrEnum):
    """How compliance with a standard is judged."""

    YES_NO = "yes_no"
    RATING = "rating"
    MEASURED = "measured"

    @property
    def label(self) -> str:
        """Return the translated kind."""
        return str(STANDARD_KIND_LABELS[self])


STANDARD_KIND_LABELS = {
    StandardKind.YES_NO: _l("Yes / no"),
    StandardKind.RATING: _l("Rating"),
    StandardKind.MEASURED: _l("Measured value"),
}


class Direction(enum.StrEnum):
    """Whether a measured value meets its target by staying below or above it."""

    AT_MOST = "at_most"
    AT_LEAST = "at_least"

    @property
    def symbol(self) -> str:
        """Return ≤ or ≥."""
        return "≤" if self is Direction.AT_MOST else "≥"


standard_touchpoints = sa.Table(
    "standard_touchpoints",
    db.metadata,
    sa.Column("standard_id", sa.ForeignKey("standards.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "touchpoint_id", sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"), primary_key=True
    ),
)


class Standard(Timestamped, db.Model):
    """A service standard (service star) that makes a pillar concrete and measurable."""

    __tablename__ = "standards"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", StandardKind), name="kind_known"),
        sa.CheckConstraint(
            f"direction IS NULL OR {one_of('direction', Direction)}", name="direction_known"
        ),
        sa.CheckConstraint(
            "kind <> 'measured' OR (unit IS NOT NULL AND target IS NOT NULL "
            "AND direction IS NOT NULL)",
            name="measured_has_target",
        ),
        sa.CheckConstraint(
            "kind <> 'rating' OR (rating_min IS NOT NULL AND rating_max IS NOT NULL "
            "AND rating_max > rating_min "
            "AND (target IS NULL OR (target >= rating_min AND target <= rating_max)))",
            name="rating_has_scale",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pillar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pillars.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(CODE, unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(16))
    rating_min: Mapped[int | None]
    rating_max: Mapped[int | None]
    unit: Mapped[str | None] = mapped_column(sa.String(32))
    target: Mapped[float | None] = mapped_column(sa.Float)
    direction: Mapped[str | None] = mapped_column(sa.String(16))
    requires_evidence: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    pillar: Mapped[Pillar] = relationship(back_populates="standards")
    #: Empty means the standard applies at every touchpoint.
    touchpoints: Mapped[list[Touchpoint]] = relationship(
        secondary=standard_touchpoints, order_by=Touchpoint.position
    )

    @property
    def kind_label(self) -> str:
        """Return the translated kind."""
        return StandardKind(self.kind).label

    @property
    def target_text(self) -> str:
        """Describe the target, e.g. "≤ 5 min" or "≥ 4 (1–5)"."""
        if self.kind == StandardKind.MEASURED:
            return f"{Direction(self.direction).symbol} {self.target:g} {self.unit}"
        if self.kind == StandardKind.RATING:
            target = f"≥ {self.target:g} " if self.target is not None else ""
            return f"{target}({self.rating_min}–{self.rating_max})"
        return ""

    def is_met_by(self, value: float) -> bool:
        """Tell whether a measured value meets this standard's target."""
        if self.kind != StandardKind.MEASURED or self.target is None:
            raise ValueError("only measured standards have a numeric target")
        if self.direction == Direction.AT_MOST:
            return value <= self.target
        return value >= self.target


class PromiseKind(enum.StrEnum):
    """Where an external promise is made."""

    ADVERT = "advert"
    WEB = "web"
    CONTRACT = "contract"
    SIGNAGE = "signage"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(PROMISE_KIND_LABELS[self])


PROMISE_KIND_LABELS = {
    PromiseKind.ADVERT: _l("Advert"),
    PromiseKind.WEB: _l("Web page"),
    PromiseKind.CONTRACT: _l("Contract"),
    PromiseKind.SIGNAGE: _l("Signage"),
    PromiseKind.OTHER: _l("Other"),
}


class ExternalPromise(Timestamped, db.Model):
    """A promise made to customers outside the service itself, and where it appears."""

    __tablename__ = "external_promises"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('advert', 'web', 'contract', 'signage', 'other')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    location: Mapped[str] = mapped_column(sa.String(255))
    touchpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("touchpoints.id", ondelete="RESTRICT")
    )

    touchpoint: Mapped[Touchpoint | None] = relationship()


class ItemPillar(db.Model):
    """Maps an instrument item (by its stable code) to a pillar of the promise."""

    __tablename__ = "item_pillars"
    __table_args__ = (sa.UniqueConstraint("item_code", "pillar_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(CODE, index=True)
    pillar_id: Mapped[int] = mapped_column(sa.ForeignKey("pillars.id", ondelete="CASCADE"))

    pillar: Mapped[Pillar] = relationship(back_populates="item_links")


describe_tables(
    touchpoint_sites=_l("touchpoints limited to it"),
    standard_touchpoints=_l("standards bound to it"),
    organisations=_l("organisations"),
    sites=_l("sites"),
    channels=_l("channels"),
    service_cycles=_l("service cycles"),
    touchpoints=_l("touchpoints"),
    service_promises=_l("service promises"),
    pillars=_l("pillars"),
    standards=_l("standards"),
    item_pillars=_l("item mappings"),
    external_promises=_l("external promises"),
)
