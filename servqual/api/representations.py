"""How campaigns, links and instruments look in ``/api/v1`` answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from servqual.api import operations
from servqual.api.models import ApiToken
from servqual.instruments.format import Instrument
from servqual.surveys.models import Campaign, SurveyLink
from servqual.surveys.steps import (
    MEASURE_COLUMNS,
    build_steps,
    importance_item,
    instrument_of,
    overall_item,
)


def today():
    """The server's local date, when campaigns open and close."""
    return datetime.now().date()


def _named(row) -> dict[str, Any] | None:
    return None if row is None else {"id": row.id, "name": row.name}


def _link(link: SurveyLink) -> dict[str, Any]:
    return {"slug": link.slug, "touchpoint": _named(link.touchpoint), "site": _named(link.site)}


def campaign_json(campaign: Campaign, token: ApiToken) -> dict[str, Any]:
    version = campaign.instrument_version
    return {
        "id": campaign.id,
        "name": campaign.name,
        "wave": campaign.wave,
        "format": campaign.format,
        "status": campaign.status,
        "opens_on": campaign.opens_on.isoformat() if campaign.opens_on else None,
        "closes_on": campaign.closes_on.isoformat() if campaign.closes_on else None,
        "accepts_responses": campaign.accepts_responses(today()),
        "instrument": {"key": version.instrument.key, "version": version.number},
        "links": [_link(link) for link in operations.links_for(token)],
    }


def _scale(params: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "min": params["min"],
        "max": params["max"],
        "anchors": {point: text[lang] for point, text in params.get("anchors", {}).items()},
        "not_applicable": params.get("not_applicable", True),
    }


def _closing(campaign: Campaign, instrument: Instrument, lang: str) -> dict[str, Any]:
    overall = overall_item(instrument)
    allocation = importance_item(instrument)
    asks_overall = campaign.ask_overall and overall is not None
    labels = {d["code"]: d["label"][lang] for d in instrument.dimensions}
    return {
        "overall_quality": {
            "text": overall.text(overall.forms[0], lang),
            "scale": _scale(overall.params, lang),
        }
        if asks_overall
        else None,
        "recommend": {
            "text": _(
                "How likely is it that you would recommend us to a friend or colleague? "
                "(0 = not at all likely, 10 = extremely likely)"
            ),
            "min": 0,
            "max": 10,
        }
        if asks_overall
        else None,
        "importance": {
            "text": allocation.text(allocation.forms[0], lang),
            "total": allocation.params.get("total", 100),
            "dimensions": [
                {"code": code, "label": labels[code]} for code in allocation.params["among"]
            ],
        }
        if campaign.ask_importance and allocation is not None
        else None,
        "comment": {"text": _("Anything else you would like to tell us?"), "max_length": 2000}
        if campaign.ask_comment
        else None,
    }


def instrument_json(campaign: Campaign, token: ApiToken, lang: str) -> dict[str, Any]:
    instrument = instrument_of(campaign)
    steps = build_steps(instrument, campaign.format)
    forms = {form["code"]: form for form in instrument.forms}
    asked: dict[str, dict[str, str]] = {}
    for step in steps:
        for q in step.questions:
            asked.setdefault(q.item.code, {})[MEASURE_COLUMNS[q.measure]] = q.item.text(
                q.form, lang
            )
    sections = []
    for step in steps[:-1]:
        titles = [forms[form["code"]]["title"][lang] for form in step.forms]
        notes = [
            forms[form["code"]]["instructions"][lang]
            for form in step.forms
            if "instructions" in forms[form["code"]]
        ]
        sections.append(
            {
                "kind": "items",
                "title": " · ".join(titles),
                "instructions": "\n\n".join(notes) or None,
                "questions": [
                    {
                        "item": q.item.code,
                        "measure": MEASURE_COLUMNS[q.measure],
                        "field": f"answers.{q.item.code}.{MEASURE_COLUMNS[q.measure]}",
                        "text": q.item.text(q.form, lang),
                    }
                    for q in step.questions
                ],
            }
        )
    sections.append(
        {"kind": "closing", "title": _("To finish"), "instructions": None, "questions": []}
    )
    version = campaign.instrument_version
    return {
        "campaign": campaign_json(campaign, token),
        "language": lang,
        "instrument": {
            "key": version.instrument.key,
            "version": version.number,
            "title": instrument.title[lang],
        },
        "dimensions": [
            {"code": d["code"], "label": d["label"][lang]}
            for d in instrument.dimensions
            if d.get("scored", True)
        ],
        "items": [
            {
                "code": item.code,
                "dimension": item.dimension,
                "label": item.label[lang],
                "text": asked[item.code],
                "scale": _scale(item.params, lang),
            }
            for item in instrument.items
            if item.code in asked
        ],
        "sections": sections,
        "closing": _closing(campaign, instrument, lang),
        "links": [_link(link) for link in operations.links_for(token)],
    }
