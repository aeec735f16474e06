"""A respondent on a phone answers from the public link, leaves, resumes and submits."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from servqual.extensions import db
from servqual.surveys.models import Answer, Response
from tests import factories
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

ITEMS = ["REL1", "REL2", "EMP1", "EMP2"]
START = {"es": "Comenzar la encuesta", "en": "Start the survey"}
LATER = {"es": "Guardar y continuar después", "en": "Save and continue later"}
NEXT = {"es": "Página siguiente", "en": "Next page"}
SEND = {"es": "Enviar mis respuestas", "en": "Send my answers"}
THANKS = {"es": "Gracias", "en": "Thank you"}


def assert_accessible(page, where: str, javascript: bool = True) -> None:
    """Fail on any serious or critical axe-core violation.

    axe-core runs on timers, which a page with JavaScript disabled never fires; such a page
    is checked as the same HTML (same URL, so the same stylesheets) opened in a
    JavaScript-enabled page of the same browser.
    """
    target = page
    if not javascript:
        html, url = page.content(), page.url
        checker = page.context.browser.new_context(viewport=PHONE)
        target = checker.new_page()
        target.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
        target.goto(url)
    try:
        results = Axe().run(target)
    finally:
        if target is not page:
            target.context.close()
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not violations, f"{where}: {violations}"


@pytest.fixture
def survey_link(live_server):
    with live_server.app.app_context():
        campaign = factories.campaign()
        slug = campaign.links[0].slug
        db.session.commit()
    return slug


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_answer_leave_resume_and_submit_on_a_phone(
    browser, live_server, survey_link, lang, javascript
):
    phone = browser.new_context(viewport=PHONE, java_script_enabled=javascript, has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{survey_link}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page, "consent page", javascript)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name=START[lang]).click()

    # Sending the page empty shows the errors, linked from a summary, accessibly.
    page.get_by_role("button", name=NEXT[lang]).click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator(".error-summary a").count() == len(ITEMS)
    assert_accessible(page, "page with errors", javascript)
    for code in ITEMS:
        page.locator(f"input[name='E-{code}'][value='6']").check()
    assert_accessible(page, "expectations page", javascript)
    page.get_by_role("button", name=LATER[lang]).click()
    resume_url = page.locator(".resume-link a").get_attribute("href")
    assert "/s/r/" in resume_url
    assert_accessible(page, "saved page", javascript)
    phone.close()

    # Later, on another phone: the resume link lands on the next page to answer.
    other = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = other.new_page()
    page.goto(resume_url + f"?lang={lang}")
    for code in ITEMS:
        page.locator(f"input[name='P-{code}'][value='4']").check()
    page.get_by_role("button", name=NEXT[lang]).click()
    page.locator("input[name='importance-reliability']").fill("70")
    page.locator("input[name='importance-empathy']").fill("30")
    if javascript:
        assert "100" in page.locator(".total").inner_text()
    assert_accessible(page, "closing page", javascript)
    page.get_by_role("button", name=SEND[lang]).click()
    assert page.get_by_role("heading", name=THANKS[lang]).is_visible()
    assert_accessible(page, "thank-you page", javascript)

    # Going back and sending again creates nothing new.
    page.go_back()
    if page.get_by_role("button", name=SEND[lang]).count():
        page.get_by_role("button", name=SEND[lang]).click()
    other.close()

    with live_server.app.app_context():
        responses = db.session.scalars(sa.select(Response)).all()
        assert len(responses) == 1
        answers = {a.item_code: (a.e, a.p) for a in db.session.scalars(sa.select(Answer))}
        assert answers == dict.fromkeys(ITEMS, (6, 4))
        assert responses[0].language == lang
