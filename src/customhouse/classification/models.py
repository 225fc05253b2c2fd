"""Domain objects of classification: plain frozen dataclasses, no ORM, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from customhouse.classification.errors import InvalidCommodityCode


def hs_digits(code: str) -> str:
    """The digits of a commodity code written with dots or spaces.

    >>> hs_digits("6109.10.00 10")
    '6109100010'
    >>> hs_digits("61")
    '61'
    """
    digits = "".join(ch for ch in code if not ch.isspace() and ch != ".")
    if not digits.isdigit() or not 2 <= len(digits) <= 10:
        raise InvalidCommodityCode(code)
    return digits


@dataclass(frozen=True, slots=True)
class LabelledText:
    """A goods description with the commodity code an authority gave it.

    ``tariff`` says whose code it is: "HS" (6 digits), "GB" (UK 8/10 digits), "US" (HTS8).
    """

    text: str
    code: str
    source: str
    tariff: str = "HS"


@dataclass(frozen=True, slots=True)
class NomenclatureNode:
    """A section ("XI"), chapter (2 digits), heading (4) or subheading (6) of the HS."""

    code: str
    level: str  # "section" | "chapter" | "heading" | "subheading"
    description: str
    parent: str | None
    section: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "level": self.level, "description": self.description}


@dataclass(frozen=True, slots=True)
class Example:
    """A known description close to the query: one of the reasons behind a suggestion."""

    text: str
    code: str
    source: str
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "code": self.code,
            "source": self.source,
            "similarity": round(self.similarity, 3),
        }


@dataclass(frozen=True, slots=True)
class NationalLine:
    """A national tariff line (GB 8/10 digits, US HTS8) seen under a suggested subheading."""

    tariff: str
    code: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"tariff": self.tariff, "code": self.code, "weight": round(self.weight, 3)}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One candidate HS6 code with its calibrated confidence and the reasons for it."""

    code: str
    confidence: float
    path: tuple[NomenclatureNode, ...]
    examples: tuple[Example, ...]
    national_lines: tuple[NationalLine, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 4),
            "path": [n.as_dict() for n in self.path],
            "examples": [e.as_dict() for e in self.examples],
            "national_lines": [n.as_dict() for n in self.national_lines],
        }


@dataclass(frozen=True, slots=True)
class SuggestionResult:
    """Top-k suggestions, or an abstention saying what the description is missing."""

    query: str
    normalised: str
    suggestions: tuple[Suggestion, ...]
    abstained: bool
    reasons: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.suggestions]

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "normalised": self.normalised,
            "abstained": self.abstained,
            "reasons": list(self.reasons),
            "missing": list(self.missing),
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A nomenclature node matching a type-ahead query."""

    node: NomenclatureNode
    score: float
    matched: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {**self.node.as_dict(), "score": round(self.score, 3), "matched": list(self.matched)}


@dataclass(frozen=True, slots=True)
class ConsistencyResult:
    """How well a description fits its declared code (1 = fits, 0 = does not), with reasons.

    ``score`` is None when the description is too vague to judge.
    """

    description: str
    declared_code: str
    score: float | None
    fit: dict[int, float]  # digits (2, 4, 6) -> probability mass on the declared code's prefix
    better_codes: tuple[Suggestion, ...]
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "declared_code": self.declared_code,
            "score": None if self.score is None else round(self.score, 4),
            "fit": {str(k): round(v, 4) for k, v in self.fit.items()},
            "better_codes": [s.as_dict() for s in self.better_codes],
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Top-1 / top-5 accuracy at 2, 4 and 6 digits; abstentions count as misses."""

    n: int
    top1: dict[str, float]
    top5: dict[str, float]
    abstained: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "top1": self.top1,
            "top5": self.top5,
            "abstained": self.abstained,
            **self.extra,
        }


__all__ = [
    "ConsistencyResult",
    "EvaluationReport",
    "Example",
    "LabelledText",
    "NationalLine",
    "NomenclatureNode",
    "SearchHit",
    "Suggestion",
    "SuggestionResult",
    "hs_digits",
]
