"""Staff pages to import responses from other tools and to export a campaign's responses.

Import runs in steps: upload (kept server-side under a random id), choose the encoding
while looking at the decoded text, map the columns, check (dry run, every bad row
listed), then import all rows or none. Only managers and administrators, and only
for campaigns and rows of their own sites.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField

from servqual.accounts.models import Role
from servqual.config import SUPPORTED_LOCALES
from servqual.extensions import db
from servqual.forms import ConfirmForm, optional_int, options
from servqual.security import roles_required
from servqual.surveys import exporting, importing
from servqual.surveys.models import Campaign, Response
from servqual.surveys.tables import ENCODINGS, TableError, preview_text, read_table

bp = Blueprint("transfer", __name__, template_folder="templates", url_prefix="/campaigns")

STAFF = (Role.MANAGER,)
LANGUAGE_NAMES = {"es": "Español", "en": "English"}


class UploadForm(FlaskForm):
    """A file of responses exported by another survey tool."""

    file = FileField(
        _l("Responses file (CSV or XLSX)"),
        validators=[FileRequired()],
        description=_l(
            "One row per respondent, one column per question, as LimeSurvey, Google Forms "
            "or SurveyMonkey export them."
        ),
    )
    encoding = SelectField(
        _l("Encoding (CSV only)"), choices=options(ENCODINGS.items()), default="auto"
    )


class ExportForm(FlaskForm):
    """What to download."""

    format = RadioField(
        _l("Format"),
        choices=options(
            [
                ("csv", _l("CSV (UTF-8)")),
                ("xlsx", _l("Excel workbook (XLSX)")),
                ("sav", _l("SPSS data file (.sav) with labels")),
            ]
        ),
        default="csv",
    )
    language = SelectField(
        _l("Language of the labels"),
        choices=options((code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES),
    )
    include_comment = BooleanField(_l("Include the open comments"))


def _campaign(campaign_id: int) -> Campaign:
    """Return the campaign if the user's sites overlap it (a campaign of every site does)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    allowed = current_user.site_ids
    if allowed is not None and campaign.sites and not allowed & {s.id for s in campaign.sites}:
        abort(403)
    return campaign


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale and locale.language in SUPPORTED_LOCALES else "en"


def _mapping_form(plan: importing.ImportPlan, headers: list[str], encodings, data: dict):
    """Build the form of the mapping step: one column choice per field, and fixed values."""
    columns = [("", _("— not in the file —"))] + [
        (str(position), header or _("column %(n)d", n=position + 1))
        for position, header in enumerate(headers)
    ]
    sites = [place for place in plan.sites if current_user.can_see_site(place.id)]
    attributes = {
        "encoding": SelectField(_l("Encoding"), choices=options(encodings)),
        "touchpoint": SelectField(
            _l("Touchpoint"),
            choices=options(
                [("", _("Named in a column"))] + [(str(p.id), p.name) for p in plan.touchpoints]
            ),
            default="",
        ),
        "site": SelectField(
            _l("Site"),
            choices=options(
                [("", _("Named in a column, or none"))] + [(str(p.id), p.name) for p in sites]
            ),
            default="",
        ),
        "language": SelectField(
            _l("Language of the answers (when no column says)"),
            choices=options((code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES),
        ),
        "date_format": SelectField(
            _l("Dates that are not ISO 8601 (2026-03-31 14:05) are written"),
            choices=options(
                [
                    ("iso", _("only as ISO 8601")),
                    ("dmy", _("day first (31/03/2026)")),
                    ("mdy", _("month first (03/31/2026)")),
                ]
            ),
        ),
    }
    for spec in plan.fields:
        attributes[f"col_{spec.key}"] = SelectField(
            spec.label, choices=options(columns), default=""
        )
    return type("MappingForm", (FlaskForm,), attributes)(data=data)


def _mapping(form, plan: importing.ImportPlan) -> importing.ImportMapping:
    columns = {}
    for spec in plan.fields:
        value = form[f"col_{spec.key}"].data
        if value not in (None, ""):
            columns[spec.key] = int(value)
    return importing.ImportMapping(
        columns=columns,
        touchpoint_id=optional_int(form.touchpoint.data),
        site_id=optional_int(form.site.data),
        language=form.language.data,
        date_format=form.date_format.data,
        timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )


@bp.route("/<int:campaign_id>/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_upload(campaign_id: int):
    """Upload a file of responses; it is kept until the import is done or cancelled."""
    campaign = _campaign(campaign_id)
    form = UploadForm()
    status = 200
    limit_mb = f"{importing.MAX_IMPORT_BYTES / (1024 * 1024):g}"
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(importing.MAX_IMPORT_BYTES + 1)
        if len(data) > importing.MAX_IMPORT_BYTES:
            form.file.errors.append(
                _(
                    "The file is larger than %(mb)s MB. Remove the columns you do not need, "
                    "or split it and import the parts one by one.",
                    mb=limit_mb,
                )
            )
            status = 413
        else:
            try:
                table = read_table(data, upload.filename or "", form.encoding.data)
                if not table.rows:
                    raise TableError(_("The file has a header row but no responses."))
            except TableError as problem:
                form.file.errors.append(str(problem))
                status = 400
            else:
                upload_id = importing.store_upload(
                    current_app.instance_path,
                    data,
                    upload.filename or "upload",
                    campaign.id,
                    current_user.id,
                    table.encoding,
                )
                return redirect(
                    url_for(".import_map", campaign_id=campaign.id, upload_id=upload_id), 303
                )
    elif form.errors:
        status = 400
    return render_template(
        "surveys/import_upload.html", campaign=campaign, form=form, limit_mb=limit_mb
    ), status


@bp.route("/<int:campaign_id>/import/<upload_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_map(campaign_id: int, upload_id: str):
    """Choose the encoding, map the columns, check the rows, then import them all or none."""
    campaign = _campaign(campaign_id)
    stored = importing.load_upload(current_app.instance_path, upload_id, campaign.id)
    if stored is None:
        flash(_("That upload is no longer here; upload the file again."), "error")
        return redirect(url_for(".import_upload", campaign_id=campaign.id))
    meta, data = stored
    lang = _lang()
    plan = importing.build_plan(campaign, lang, current_user.site_ids)
    is_workbook = meta["encoding"] == "xlsx"
    encodings = (
        [("xlsx", _("Excel workbook: no encoding needed"))]
        if is_workbook
        else [(k, v) for k, v in ENCODINGS.items() if k != "auto"]
    )
    encoding = request.form.get("encoding", meta["encoding"])
    if encoding not in dict(encodings):
        encoding = meta["encoding"]
    table, table_error = None, None
    try:
        table = read_table(data, meta["filename"], "auto" if is_workbook else encoding)
    except TableError as problem:
        table_error = str(problem)
    headers = table.headers if table else []
    defaults = {
        "encoding": encoding,
        "language": current_app.config["BABEL_DEFAULT_LOCALE"],
        "date_format": "iso",
        **{
            f"col_{key}": str(pos)
            for key, pos in importing.auto_columns(plan.fields, headers).items()
        },
    }
    form = _mapping_form(plan, headers, encodings, defaults)
    action = request.form.get("action")
    outcome, mapping_problems, status = None, [], 200 if table else 400
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        elif table is not None and action in ("check", "import"):
            try:
                outcome = importing.import_responses(
                    campaign,
                    table,
                    _mapping(form, plan),
                    meta["sha256"],
                    lang=lang,
                    allowed_site_ids=current_user.site_ids,
                    dry_run=action != "import",
                )
            except importing.MappingError as refused:
                mapping_problems, status = refused.problems, 400
            else:
                if outcome.problems:
                    db.session.rollback()
                    status = 400
                elif action == "import":
                    db.session.commit()
                    importing.delete_upload(current_app.instance_path, upload_id)
                    if outcome.created:
                        flash(_("%(n)d responses imported.", n=outcome.created), "success")
                    if outcome.already_imported:
                        flash(
                            _(
                                "%(n)d rows were already imported from this file; they were "
                                "not added again.",
                                n=outcome.already_imported,
                            ),
                            "info",
                        )
                    return redirect(url_for("surveys.campaign_links", campaign_id=campaign.id), 303)
    return render_template(
        "surveys/import_map.html",
        campaign=campaign,
        meta=meta,
        upload_id=upload_id,
        form=form,
        plan=plan,
        table=table,
        table_error=table_error,
        preview=None if is_workbook else preview_text(data, encoding),
        head_rows=table.rows[:5] if table else [],
        outcome=outcome,
        mapping_problems=mapping_problems,
        is_workbook=is_workbook,
        confirm=ConfirmForm(),
        field_names={spec.key: spec.label for spec in plan.fields},
        place_names={
            **{("touchpoint", p.id): p.name for p in plan.touchpoints},
            **{("site", p.id): p.name for p in plan.sites},
        },
    ), status


@bp.route("/<int:campaign_id>/import/<upload_id>/cancel", methods=["POST"])
@roles_required(*STAFF)
def import_cancel(campaign_id: int, upload_id: str):
    """Forget an uploaded file without importing it."""
    campaign = _campaign(campaign_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if importing.load_upload(current_app.instance_path, upload_id, campaign.id) is not None:
        importing.delete_upload(current_app.instance_path, upload_id)
    flash(_("Import cancelled; the uploaded file was deleted."), "info")
    return redirect(url_for("surveys.campaign_links", campaign_id=campaign.id), 303)


@bp.route("/<int:campaign_id>/export", methods=["GET", "POST"])
@roles_required(*STAFF)
def export(campaign_id: int):
    """Download the campaign's responses (of the user's sites) as CSV, XLSX or SPSS."""
    campaign = _campaign(campaign_id)
    form = ExportForm(language=_lang())
    site_ids = current_user.site_ids
    if form.validate_on_submit():
        kind, lang = form.format.data, form.language.data
        comments = form.include_comment.data
        if kind == "csv":
            body = "".join(exporting.write_csv(campaign, lang, comments, site_ids)).encode()
        elif kind == "xlsx":
            body = exporting.write_xlsx(campaign, lang, comments, site_ids)
        else:
            body = exporting.write_sav(campaign, lang, comments, site_ids)
        name = exporting.export_filename(campaign, kind)
        return current_app.response_class(
            body,
            mimetype=exporting.FORMATS[kind][0],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    query = sa.select(sa.func.count()).where(Response.campaign_id == campaign.id)
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids))
    return render_template(
        "surveys/export.html", campaign=campaign, form=form, count=db.session.scalar(query)
    ), (400 if form.errors else 200)
