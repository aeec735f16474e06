"""Make a chart's SVG safe to inline under the staff pages' Content-Security-Policy.

matplotlib writes its styling as ``style="…"`` attributes and one ``<style>`` element;
``style-src 'self'`` (:mod:`servqual.security`) makes the browser ignore both in an
inline SVG, so charts would lose their colours. Every declaration matplotlib writes
(fill, stroke, font-…, text-anchor …) is also an SVG presentation attribute, which no
CSP governs: this module rewrites the one into the other. The PDFs use it too, because
WeasyPrint ignores those style attributes inside SVG.
"""

from __future__ import annotations

import re
from html import escape

_STYLE_ELEMENT = re.compile(r"\s*<style[^>]*>(.*?)</style>", re.DOTALL)
_UNIVERSAL_RULE = re.compile(r"\*\s*\{([^}]*)\}")
_TAG_WITH_STYLE = re.compile(r"<([A-Za-z][\w:-]*)(\s[^<>]*?)?\sstyle=\"([^\"]*)\"([^<>]*?)(/?)>")
_SVG_OPEN = re.compile(r"<svg\b[^>]*?(/?)>")
_PROPERTY = re.compile(r"^[a-z-]+$")


def _declarations(text: str) -> list[tuple[str, str]]:
    pairs = []
    for declaration in text.split(";"):
        name, sep, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if sep and _PROPERTY.match(name) and value:
            pairs.append((name, value))
    return pairs


def _with_attributes(head: str, tail: str, pairs: list[tuple[str, str]]) -> str:
    attributes = head + tail
    for name, value in pairs:
        quoted = f'{name}="{escape(value, quote=True)}"'
        existing = re.compile(rf"(?<![\w:-]){re.escape(name)}=\"[^\"]*\"")
        if existing.search(attributes):
            attributes = existing.sub(lambda _m, q=quoted: q, attributes, count=1)
        else:
            attributes += " " + quoted
    return attributes


def presentational(svg: str) -> str:
    """Return ``svg`` with style attributes and its ``*`` style rule as presentation attributes."""
    universal: list[tuple[str, str]] = []
    for block in _STYLE_ELEMENT.findall(svg):
        for rule in _UNIVERSAL_RULE.findall(block):
            universal += _declarations(rule)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = re.sub(r"\s*<defs>\s*</defs>", "", svg)

    def rewrite(match: re.Match) -> str:
        tag, head, style, tail, closing = match.groups()
        attributes = _with_attributes(head or "", tail or "", _declarations(style))
        return f"<{tag}{attributes}{closing}>"

    svg = _TAG_WITH_STYLE.sub(rewrite, svg)
    if universal:
        opening = _SVG_OPEN.search(svg)
        if opening is not None:
            tag = opening.group(0)
            closing = opening.group(1)
            body = tag[: -(len(closing) + 1)]
            extra = "".join(
                f' {name}="{escape(value, quote=True)}"'
                for name, value in universal
                if f" {name}=" not in body
            )
            svg = svg[: opening.start()] + body + extra + closing + ">" + svg[opening.end() :]
    return svg
