"""Answer templates agents start from: YAML the administrator edits, es and en.

Shipped defaults live in ``answer_templates.yaml``; an administrator's own file (in the
instance folder) replaces them. A template's body may name ``{name}``,
``{filing_number}``, ``{due_on}`` and ``{site}``; other braces are left as written, so
a template never fails to render.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_TEMPLATES_PATH = Path(__file__).with_name("answer_templates.yaml")
LANGUAGES = ("es", "en")
PLACEHOLDERS = ("name", "filing_number", "due_on", "site")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_KEY = re.compile(r"[a-z0-9_]{1,40}")


class TemplatesInvalid(ValueError):
    """Templates text that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class AnswerTemplate:
    """One template: a key, a title and a body per language."""

    key: str
    title: Mapping[str, str]
    body: Mapping[str, str]

    def title_in(self, lang: str) -> str:
        """Return the title in ``lang``, falling back to Spanish."""
        return self.title.get(lang) or self.title["es"]

    def render(self, lang: str, values: Mapping[str, object]) -> str:
        """Return the body in ``lang`` with the known placeholders filled in."""
        body = self.body.get(lang) or self.body["es"]
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), body)


def _texts(number: int, entry: Mapping, field: str) -> dict[str, str]:
    value = entry.get(field)
    if isinstance(value, str):
        value = {"es": value}
    if not isinstance(value, Mapping) or not isinstance(value.get("es"), str):
        raise TemplatesInvalid(f"Template {number}: '{field}' needs at least a Spanish text (es).")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise TemplatesInvalid(f"Template {number}: '{field}' has unknown languages.")
    return {lang: str(text).strip() for lang, text in value.items() if str(text).strip()}


def parse_templates(text: str) -> tuple[AnswerTemplate, ...]:
    """Parse templates YAML (``templates:`` list of key/title/body) or refuse."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TemplatesInvalid(f"The templates are not valid YAML: {error}") from None
    if isinstance(data, Mapping):
        data = data.get("templates")
    if not isinstance(data, list):
        raise TemplatesInvalid("The file must hold a list 'templates'.")
    seen: set[str] = set()
    templates = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, Mapping):
            raise TemplatesInvalid(f"Template {number} must be a mapping.")
        key = str(entry.get("key", ""))
        if not _KEY.fullmatch(key):
            raise TemplatesInvalid(
                f"Template {number}: 'key' must be 1-40 lower-case letters, digits or _."
            )
        if key in seen:
            raise TemplatesInvalid(f"Template {number}: the key '{key}' is used twice.")
        seen.add(key)
        title, body = _texts(number, entry, "title"), _texts(number, entry, "body")
        if "es" not in title or "es" not in body:
            raise TemplatesInvalid(f"Template {number}: the Spanish title and body are required.")
        templates.append(AnswerTemplate(key, title, body))
    return tuple(templates)


def load_templates(path: Path | None) -> tuple[AnswerTemplate, ...]:
    """Return the templates in ``path`` if it exists, else the shipped ones."""
    source = path if path is not None and path.exists() else DEFAULT_TEMPLATES_PATH
    return parse_templates(source.read_text(encoding="utf-8"))
