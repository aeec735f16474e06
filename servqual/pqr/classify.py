"""Suggest a SERVQUAL dimension, pillar and touchpoint for a case from its words.

Pure: standard library and PyYAML only. The rules are data the administrator edits
(YAML, shipped defaults in ``classification_rules.yaml``): each rule lists keywords and
what they point to. A suggestion shows the words that matched as its reason, and a
person always confirms it on the case page; nothing here writes a classification.

Matching ignores case and accents ("atención" matches "atencion") and looks for whole
words or phrases ("espera" does not match "esperanza"); a keyword ending in ``*``
matches any word starting with it ("demor*" matches "demora", "demoraron").
Each matched keyword adds one point to the targets of its rule; per kind (dimension,
pillar, touchpoint) the target with most points is suggested, ties broken by the
order of the rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

#: The five SERVQUAL dimensions (Parasuraman, Zeithaml & Berry 1988).
DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
#: What a rule may point to.
KINDS = ("dimension", "pillar", "touchpoint")
#: Shipped rules, used until the administrator saves their own.
DEFAULT_RULES_PATH = Path(__file__).with_name("classification_rules.yaml")
MAX_KEYWORDS = 200
MAX_RULES = 500


class RulesInvalid(ValueError):
    """Rules text that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Rule:
    """Keywords and what they point to: a dimension code, a pillar code, a touchpoint code."""

    keywords: tuple[str, ...]
    dimension: str | None = None
    pillar: str | None = None
    touchpoint: str | None = None

    def target(self, kind: str) -> str | None:
        """Return this rule's target of ``kind`` (one of :data:`KINDS`)."""
        return getattr(self, kind)


@dataclass(frozen=True)
class Candidate:
    """One suggested target with its points and the words of the text that matched."""

    kind: str
    code: str
    points: int
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """The best candidate per kind (absent when nothing matched) and all candidates."""

    dimension: Candidate | None
    pillar: Candidate | None
    touchpoint: Candidate | None
    candidates: tuple[Candidate, ...]

    @property
    def is_empty(self) -> bool:
        """Tell whether no rule matched the text."""
        return not self.candidates


def fold(text: str) -> str:
    """Return ``text`` lower-cased and without accents, for accent-blind matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """Return the folded text and, for each folded character, its index in ``text``."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        for piece in fold(char):
            folded.append(piece)
            positions.append(index)
    return "".join(folded), positions


def _pattern(keyword: str) -> re.Pattern[str]:
    folded = fold(keyword.strip())
    prefix = folded.endswith("*")
    words = folded.rstrip("*").split()
    body = r"\s+".join(re.escape(word) for word in words)
    tail = r"\w*" if prefix else ""
    return re.compile(rf"(?<!\w){body}{tail}(?!\w)")


def parse_rules(text: str) -> tuple[Rule, ...]:
    """Parse rules YAML (a list of mappings with ``keywords`` and targets) or refuse."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RulesInvalid(f"The rules are not valid YAML: {error}") from None
    if data is None:
        return ()
    if isinstance(data, Mapping) and "rules" in data:
        data = data["rules"]
    if not isinstance(data, list):
        raise RulesInvalid("The rules must be a list of entries with 'keywords'.")
    if len(data) > MAX_RULES:
        raise RulesInvalid(f"At most {MAX_RULES} rules are accepted.")
    rules = []
    for number, entry in enumerate(data, start=1):
        rules.append(_rule(number, entry))
    return tuple(rules)


def _rule(number: int, entry: object) -> Rule:
    if not isinstance(entry, Mapping):
        raise RulesInvalid(f"Rule {number} must be a mapping with 'keywords'.")
    unknown = set(entry) - {"keywords", *KINDS}
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        raise RulesInvalid(f"Rule {number} has unknown keys: {names}.")
    keywords = entry.get("keywords")
    if isinstance(keywords, str):
        keywords = [keywords]
    if not isinstance(keywords, list) or not keywords:
        raise RulesInvalid(f"Rule {number} needs a non-empty list of keywords.")
    if len(keywords) > MAX_KEYWORDS:
        raise RulesInvalid(f"Rule {number} has more than {MAX_KEYWORDS} keywords.")
    cleaned = []
    for keyword in keywords:
        if not isinstance(keyword, str) or not keyword.strip().rstrip("*").strip():
            raise RulesInvalid(f"Rule {number} has an empty or non-text keyword.")
        cleaned.append(keyword.strip())
    targets = {}
    for kind in KINDS:
        value = entry.get(kind)
        if value is None:
            continue
        if not isinstance(value, str | int) or not str(value).strip():
            raise RulesInvalid(f"Rule {number}: '{kind}' must be a code.")
        targets[kind] = str(value).strip()
    if not targets:
        raise RulesInvalid(f"Rule {number} must name a dimension, a pillar or a touchpoint.")
    dimension = targets.get("dimension")
    if dimension is not None and dimension not in DIMENSIONS:
        raise RulesInvalid(
            f"Rule {number}: unknown dimension '{dimension}' (use one of {', '.join(DIMENSIONS)})."
        )
    return Rule(tuple(cleaned), **targets)


def load_rules(path: Path | None) -> tuple[Rule, ...]:
    """Return the rules in ``path`` if it exists, else the shipped defaults."""
    source = path if path is not None and path.exists() else DEFAULT_RULES_PATH
    return parse_rules(source.read_text(encoding="utf-8"))


def suggest(text: str, rules: Iterable[Rule]) -> Suggestion:
    """Score every rule's keywords against ``text`` and return the best target per kind."""
    text = text or ""
    folded, positions = _fold_with_positions(text)
    scores: dict[tuple[str, str], list] = {}
    for rule in rules:
        matched = []
        for keyword in rule.keywords:
            found = _pattern(keyword).search(folded)
            if found:
                # Show the words as the customer wrote them, accents and all.
                start, end = positions[found.start()], positions[found.end() - 1] + 1
                matched.append(text[start:end])
        if not matched:
            continue
        for kind in KINDS:
            code = rule.target(kind)
            if code is None:
                continue
            entry = scores.setdefault((kind, code), [0, []])
            entry[0] += len(matched)
            entry[1].extend(word for word in matched if word not in entry[1])
    candidates = tuple(
        Candidate(kind, code, points, tuple(words))
        for (kind, code), (points, words) in scores.items()
    )
    best = {}
    for candidate in candidates:
        # Insertion order is rule order, so the first rule wins a tie.
        current = best.get(candidate.kind)
        if current is None or candidate.points > current.points:
            best[candidate.kind] = candidate
    return Suggestion(
        dimension=best.get("dimension"),
        pillar=best.get("pillar"),
        touchpoint=best.get("touchpoint"),
        candidates=tuple(sorted(candidates, key=lambda c: (KINDS.index(c.kind), -c.points))),
    )
