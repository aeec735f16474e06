"""The respondent's pages: consent, questions page by page, resume, thanks.

No login. Everything works without JavaScript; a draft saved on every page makes the
resume link work and makes the final submission idempotent (one response per token).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from servqual.extensions import db, limiter
from servqual.forms import ConfirmForm
from servqual.modelbase import utcnow
from servqual.surveys import drafts, invitations, operations
from servqual.surveys.drafts import LinkView
from servqual.surveys.forms import StartForm, step_form_class
from servqual.surveys.invitation_models import InvitationStatus
from servqual.surveys.steps import build_steps

bp = Blueprint("respond", __name__, template_folder="templates", url_prefix="/s")


def _today():
    return datetime.now().date()


def _lang() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _link(slug: str) -> LinkView:
    link = drafts.link_by_slug(slug)
    if link is None:
        abort(404)
    return link


def _closed_page(link):
    return render_template("surveys/closed.html", link=link), 410


def _public_limit() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


@bp.route("/<slug>", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def start(slug: str):
    """Show the privacy notice and ask for consent before the first question."""
    if request.method == "GET":
        drafts.outside_transaction()
    link = _link(slug)
    if not link.campaign.accepts_responses(_today()):
        return _closed_page(link)
    form = StartForm()
    if form.validate_on_submit():
        token = operations.start_draft(link, _lang())
        db.session.commit()
        return redirect(url_for(".page", token=token, number=1), 303)
    status = 400 if form.errors else 200
    return render_template("surveys/start.html", link=link, form=form), status


def _context(token: str, lock: bool = False):
    draft = operations.find_draft(token, lock=lock)
    if draft is None:
        return None, _gone(token)
    campaign = draft.link.campaign
    if not campaign.accepts_responses(_today()):
        return None, _closed_page(draft.link)
    instrument = campaign.instrument
    steps = build_steps(instrument, campaign.format)
    return (draft, campaign, instrument, steps), None


def _gone(token: str):
    """Answer for a draft that is not there: submitted (thanks) or never existed (404)."""
    if operations.response_for_token(token) is not None:
        return redirect(url_for(".thanks"), 303)
    abort(404)


@bp.route("/i/<token>", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def invited(token: str):
    """Open a personal invitation: consent first, then the same pages as a public link."""
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return render_template(
            "surveys/closed.html",
            link=None,
            message=_(
                "This invitation link is not valid. If you received a newer e-mail, "
                "use the link in that one."
            ),
        ), 404
    if invitation.status == InvitationStatus.RESPONDED:
        return render_template(
            "surveys/closed.html",
            link=invitation.link,
            message=_("This invitation has already been used to answer. Thank you."),
        ), 410
    if operations.find_draft(token) is not None:
        return redirect(url_for(".resume", token=token))
    link = invitation.link
    if not link.campaign.accepts_responses(_today()):
        return _closed_page(link)
    form = StartForm()
    if form.validate_on_submit():
        operations.start_draft(link, _lang(), token=token, invitation_id=invitation.id)
        db.session.commit()
        return redirect(url_for(".page", token=token, number=1), 303)
    return render_template("surveys/start.html", link=link, form=form), (
        400 if form.errors else 200
    )


@bp.route("/u/<token>", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def unsubscribe(token: str):
    """Stop all survey e-mails to a contact (asks to confirm, so link scanners do nothing)."""
    contact = invitations.contact_for_unsubscribe(token)
    if contact is None:
        abort(404)
    form = ConfirmForm()
    done = contact.unsubscribed_at is not None
    if not done and form.validate_on_submit():
        contact.unsubscribed_at = utcnow()
        db.session.commit()
        done = True
    return render_template("surveys/unsubscribe.html", form=form, done=done)


@bp.route("/r/<token>", methods=["GET"])
def resume(token: str):
    """Continue an unfinished survey where it was left."""
    drafts.outside_transaction()
    context, early = _context(token)
    if early is not None:
        return early
    draft, _campaign, _instrument, steps = context
    # Continue in the language the respondent chose, on whatever device they resume.
    lang = request.args.get("lang") or draft.language
    return redirect(
        url_for(".page", token=token, number=min(draft.step + 1, len(steps)), lang=lang)
    )


@bp.route("/r/<token>/<int:number>", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def page(token: str, number: int):
    """Show or record one page of questions; the last page submits the response."""
    # Without a transaction (PostgreSQL) a page needs no lock: answers are merged on the
    # server, and a double-clicked submission is stopped by the unique submission key.
    autocommit = drafts.outside_transaction()
    context, early = _context(token, lock=request.method == "POST" and not autocommit)
    if early is not None:
        return early
    draft, campaign, instrument, steps = context
    if not 1 <= number <= len(steps) or number > draft.step + 1:
        return redirect(url_for(".page", token=token, number=min(draft.step + 1, len(steps))))
    step = steps[number - 1]
    layout = _layout(instrument, campaign, step, number)
    questions_html = None
    if request.method == "POST":
        form = layout.form_class()
        if form.validate_on_submit():
            return _record(draft, token, form, number, len(steps), autocommit)
    elif layout.unanswered(draft.answers):
        # A page shown for the first time looks the same to every respondent: its
        # questions' markup is shared and the form only carries the CSRF token.
        form = FlaskForm()
        questions_html = layout.questions_html
    else:
        form = layout.form_class(formdata=MultiDict(draft.answers))
    return render_template(
        "surveys/page.html",
        questions_html=questions_html,
        form=form,
        step=step,
        number=number,
        steps=steps,
        draft=draft,
        campaign=campaign,
        instrument=instrument,
        link=draft.link,
        token=token,
    ), (400 if request.method == "POST" else 200)


def _record(draft, token: str, form, number: int, pages: int, autocommit: bool):
    """Store a valid page: save it, save it for later, or submit the response."""
    answers = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    later = request.form.get("action") == "later"
    if number == pages and not later:
        draft.merge(answers, number)  # the submission deletes the draft: no need to save it
        if autocommit:
            drafts.in_transaction()
        return _submit(draft, token)
    if not operations.save_answers(draft, answers, number, _lang()):
        return _gone(token)
    db.session.commit()
    if later:
        return render_template(
            "surveys/saved.html", resume_url=url_for(".resume", token=token, _external=True)
        )
    return redirect(url_for(".page", token=token, number=number + 1), 303)


class _Layout:
    """One questionnaire page for one instrument content, format, language and options.

    Building the form class makes a field and its translated choices for every question,
    and the markup of an unanswered page is the same for everyone: both are made once per
    process and reused.
    """

    def __init__(self, form_class: type, step, lang: str) -> None:
        self.form_class = form_class
        blank = form_class(formdata=None, meta={"csrf": False})
        self.names = frozenset(blank._fields)
        macro = get_template_attribute("surveys/_questions.html", "questions")
        #: The questions with nothing answered and no errors (Markup: autoescaped).
        self.questions_html: Markup = macro(blank, step, lang)

    def unanswered(self, answers: dict) -> bool:
        """Tell whether none of the page's questions has an answer yet."""
        return self.names.isdisjoint(answers)


#: Page layouts by instrument content, format, page number, language and campaign options.
_LAYOUTS: dict[tuple, _Layout] = {}


def _layout(instrument, campaign, step, number: int) -> _Layout:
    options = {
        "ask_overall": campaign.ask_overall,
        "ask_importance": campaign.ask_importance,
        "ask_comment": campaign.ask_comment,
    }
    lang = _lang()
    key = (instrument.content_hash, campaign.format, number, lang, *options.values())
    layout = _LAYOUTS.get(key)
    if layout is None:
        form_class = step_form_class(instrument, step, lang, options)
        layout = _LAYOUTS[key] = _Layout(form_class, step, lang)
    return layout


def _submit(draft, token: str):
    try:
        operations.store_draft(draft, _lang(), _today())
        db.session.commit()
    except operations.SurveyError as refused:
        db.session.rollback()
        return render_template("surveys/closed.html", link=draft.link, message=str(refused)), 409
    except sa.exc.IntegrityError:
        # A double click or a replayed POST: the first submission won; show the same thanks.
        db.session.rollback()
        if operations.response_for_token(token) is None:
            raise
    return redirect(url_for(".thanks"), 303)


@bp.route("/thanks")
def thanks():
    """Thank the respondent."""
    return render_template("surveys/thanks.html")


@bp.app_context_processor
def _survey_helpers():
    return {"survey_lang": _lang}
