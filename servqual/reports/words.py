"""The translated words the charts and the reports use, built in the current locale."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from servqual.gaps.chain import AUDIT_SOURCE, RATINGS_SOURCE
from servqual.reports.charts import ChartWords, WaterfallLabels
from servqual.reports.charts.text import format_count, format_number


def locale_code() -> str:
    """Return the language of the current locale ("es" or "en")."""
    return str(get_locale() or "es").split("_")[0]


def delivery_sources(sources) -> str | None:
    """Name, in the current locale, where the delivery level D came from."""
    names = {RATINGS_SOURCE: _("delivery ratings"), AUDIT_SOURCE: _("audit compliance")}
    shown = sorted(names.get(source, str(source)) for source in sources if source)
    return ", ".join(shown) or None


def chart_words(alpha: float = 0.05) -> ChartWords:
    """Return the words every chart needs, in the current locale."""
    locale = locale_code()
    return ChartWords(
        locale=locale,
        no_data=_("no data"),
        too_few=_("fewer than 5 answers"),
        n=_("n"),
        ci_low=_("95% CI low"),
        ci_high=_("95% CI high"),
        significant=_(
            "* significant after Holm correction (α = %(alpha)s)",
            alpha=format_number(alpha, locale),
        ),
        indicative=_("° indicative: fewer than 30 answers"),
    )


def waterfall_labels() -> WaterfallLabels:
    """Return the level and gap names of the waterfall, in the current locale."""
    return WaterfallLabels(
        expectation=_("E\nexpected"),
        management=_("M\nmanagement"),
        specification=_("S\nstandard"),
        delivery=_("D\ndelivered"),
        communication=_("C\npromised"),
        perception=_("P\nperceived"),
        gap1=_("Gap 1"),
        gap2=_("Gap 2"),
        gap3=_("Gap 3"),
        gap4=_("Gap 4"),
        gap5=_("Gap 5"),
        axis=_("Level on the item scale"),
        pillar=_("Pillar"),
        delivery_source=_("Source of D"),
    )


def number(value: float | None, decimals: int = 2, signed: bool = False) -> str:
    """Write a number as the report does: locale decimals, a true minus, "—" for none."""
    if value is None:
        return "—"
    return format_number(value, locale_code(), decimals, signed=signed)


def count(value: int | None) -> str:
    """Write a count as the report does."""
    return "—" if value is None else format_count(value, locale_code())


def p_value(value: float | None) -> str:
    """Write a p-value: three decimals, "< 0.001" below that."""
    if value is None:
        return "—"
    if value < 0.001:
        return "< " + format_number(0.001, locale_code(), 3)
    return format_number(value, locale_code(), 3)


def status_text(status: str | None) -> str:
    """Return the reader's words for a result status ("" when nothing needs saying)."""
    words = {
        None: "",
        "ok": "",
        "indicative": _("indicative (n < 30)"),
        "not_enough_data": _("not enough data"),
        "zero_variance": _("all answers equal"),
        "suppressed": _("fewer than 5 answers"),
        "no_items": _("no items mapped"),
        "uncovered": _("no standard"),
        "not_promised": _("not promised"),
    }
    return words.get(status, status.replace("_", " ") if status else "")
