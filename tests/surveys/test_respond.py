"""A respondent answers from a public link: consent, pages, resume, one response only."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from servqual.surveys.models import Answer, Draft, ImportancePoints, Response
from tests import factories

ITEMS = ["REL1", "REL2", "EMP1", "EMP2"]


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _start(client, campaign, lang="en"):
    link = campaign.links[0]
    page = client.get(f"/s/{link.slug}?lang={lang}")
    assert page.status_code == 200
    response = client.post(f"/s/{link.slug}", data={"consent": "y"})
    assert response.status_code == 303
    return response.headers["Location"]


def checked(html: str, name: str, value: str) -> bool:
    """Tell whether the radio button ``name`` = ``value`` is checked on the page."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    return False


def _answers(form: str, value="5", **overrides) -> dict:
    data = {f"{form}-{code}": value for code in ITEMS}
    data.update(overrides)
    return data


@pytest.fixture
def campaign(db):
    return factories.campaign()


def test_a_complete_survey_is_stored_exactly_once(client, db, campaign):
    page_one = _start(client, campaign)
    token = re.search(r"/s/r/([^/]+)/1$", page_one).group(1)
    html = client.get(page_one).get_data(as_text=True)
    assert "<legend>Excellent firms REL1</legend>" in html
    assert "Strongly disagree" in html and "Not applicable" in html

    assert client.post(page_one, data=_answers("E", "6", **{"E-EMP2": "na"})).status_code == 303
    page_two = page_one[:-1] + "2"
    assert client.post(page_two, data=_answers("P", "4")).status_code == 303
    closing = {
        "overall_quality": "5",
        "recommend": "8",
        "importance-reliability": "70",
        "importance-empathy": "30",
        "comment": "Fast <b>and</b> kind",
        "may_contact": "y",
    }
    done = client.post(page_one[:-1] + "3", data=closing)
    assert done.status_code == 303 and done.headers["Location"].endswith("/s/thanks")

    # Double click, refresh, replayed POST: still one response.
    again = client.post(page_one[:-1] + "3", data=closing)
    assert again.status_code == 303 and again.headers["Location"].endswith("/s/thanks")
    assert _count(db, Response) == 1 and _count(db, Draft) == 0

    response = db.session.scalar(sa.select(Response))
    answers = {a.item_code: (a.e, a.p) for a in response.answers}
    assert answers == {"REL1": (6, 4), "REL2": (6, 4), "EMP1": (6, 4), "EMP2": (None, 4)}
    assert (response.overall_quality, response.recommend) == (5, 8)
    assert response.comment == "Fast <b>and</b> kind" and response.may_contact
    assert {p.dimension: p.points for p in response.importance} == {
        "reliability": 70,
        "empathy": 30,
    }
    assert response.touchpoint_id == campaign.links[0].touchpoint_id
    assert response.site_id == campaign.links[0].site_id
    assert response.language == "en"
    assert token not in str(response.submission_key)  # only the hash is kept


def test_missing_and_tampered_answers_are_refused_and_kept_on_the_page(client, db, campaign):
    page_one = _start(client, campaign)
    data = _answers("E", "6")
    del data["E-REL2"]
    data["E-EMP1"] = "9"  # outside the scale
    refused = client.post(page_one, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'class="error-summary"' in html and 'href="#E-REL2"' in html
    assert 'href="#E-EMP1"' in html  # the point outside the scale is refused too
    assert checked(html, "E-REL1", "6") and not checked(html, "E-REL1", "5")
    assert _count(db, Answer) == 0
    assert client.post(page_one, data={**data, "E-ITEMX": "3"}).status_code == 400


def test_importance_points_must_add_up_to_100(client, db, campaign):
    page_one = _start(client, campaign)
    client.post(page_one, data=_answers("E"))
    client.post(page_one[:-1] + "2", data=_answers("P"))
    closing = page_one[:-1] + "3"
    wrong = client.post(closing, data={"importance-reliability": "70", "importance-empathy": "20"})
    assert wrong.status_code == 400 and "add up to 90" in wrong.get_data(as_text=True)
    negative = client.post(
        closing, data={"importance-reliability": "110", "importance-empathy": "-10"}
    )
    assert negative.status_code == 400
    assert _count(db, Response) == 0 and _count(db, ImportancePoints) == 0


def test_save_and_resume_keeps_the_answers(client, db, campaign):
    page_one = _start(client, campaign, lang="es")
    saved = client.post(page_one, data={**_answers("E", "3"), "action": "later"})
    html = saved.get_data(as_text=True)
    resume_url = re.search(r'href="(http[^"]+/s/r/[^"]+)"', html).group(1)
    fresh = client.application.test_client()  # another device
    landing = fresh.get(resume_url)
    assert landing.status_code == 302 and "/2?lang=es" in landing.headers["Location"]
    previous = fresh.get(landing.headers["Location"].replace("/2?", "/1?")).get_data(as_text=True)
    assert checked(previous, "E-REL1", "3")


def test_consent_is_required_before_the_first_question(client, db, campaign):
    link = campaign.links[0]
    refused = client.post(f"/s/{link.slug}", data={})
    assert refused.status_code == 400
    assert _count(db, Draft) == 0


def test_a_closed_campaign_says_so_politely(client, db, campaign):
    page_one = _start(client, campaign)
    campaign.status = "closed"
    db.session.flush()
    assert client.get(f"/s/{campaign.links[0].slug}").status_code == 410
    refused = client.post(page_one, data=_answers("E"))
    assert refused.status_code == 410
    assert "closed" in refused.get_data(as_text=True)
    assert _count(db, Response) == 0


def test_unknown_links_and_tokens_are_404(client, db, campaign):
    assert client.get("/s/not-a-real-slug").status_code == 404
    assert client.get("/s/r/not-a-real-token/1").status_code == 404


@pytest.mark.parametrize("survey_format", ["side_by_side", "zone_of_tolerance", "perceptions_only"])
def test_other_formats_store_their_measures(client, db, survey_format):
    campaign = factories.campaign(format=survey_format)
    page_one = _start(client, campaign)
    forms = {
        "side_by_side": ["E", "P"],
        "zone_of_tolerance": ["A", "Ds", "P"],
        "perceptions_only": ["P"],
    }[survey_format]
    data = {}
    for value, form in enumerate(forms, start=3):
        data.update(_answers(form, str(value)))
    assert client.post(page_one, data=data).status_code == 303
    done = client.post(
        page_one[:-1] + "2", data={"importance-reliability": "50", "importance-empathy": "50"}
    )
    assert done.status_code == 303
    answer = db.session.scalar(sa.select(Answer).filter_by(item_code="REL1"))
    stored = {"E": answer.e, "P": answer.p, "A": answer.a, "Ds": answer.ds}
    for value, form in enumerate(forms, start=3):
        assert stored[form] == value
    assert sum(v is not None for v in stored.values()) == len(forms)
