"""Recognising descriptions too vague to classify, and saying what is missing.

>>> v = VagueDetector.from_lists(VagueLists(frozenset({"gift"}), (), (), ()))
>>> v.assess("Gift", "gift").vague
True
>>> v.assess("beige, one size", "beige one size").missing
('what the goods are (the article itself, e.g. "scarf", "mug")',)
>>> v.assess("mens cotton t-shirt", "mens cotton t shirt").vague
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from customhouse.classification.loaders import InterceptTerm, VagueLists
from customhouse.classification.text import words

# Words that describe a parcel, a size, a colour or a person, never the goods themselves.
NON_GOODS_WORDS = frozenset(
    [
        "item",
        "items",
        "goods",
        "gift",
        "gifts",
        "present",
        "presents",
        "sample",
        "samples",
        "parcel",
        "package",
        "packages",
        "stuff",
        "product",
        "products",
        "misc",
        "miscellaneous",
        "various",
        "personal",
        "effects",
        "merchandise",
        "order",
        "purchase",
        "new",
        "used",
        "assorted",
        "lot",
        "of",
        "and",
        "for",
        "with",
        "the",
        "a",
        "an",
        "to",
        "in",
        "on",
        "x",
        "pcs",
        "pc",
        "pack",
        "one",
        "size",
        "small",
        "medium",
        "large",
        "xs",
        "xl",
        "xxl",
        "xxxl",
        "2xl",
        "3xl",
        "4xl",
        "5xl",
        "uk",
        "eu",
        "us",
        "age",
        "ages",
        "months",
        "years",
        "mens",
        "men",
        "womens",
        "women",
        "ladies",
        "lady",
        "boys",
        "boy",
        "girls",
        "girl",
        "kids",
        "kid",
        "child",
        "childrens",
        "baby",
        "unisex",
        "black",
        "white",
        "red",
        "blue",
        "green",
        "yellow",
        "pink",
        "purple",
        "orange",
        "brown",
        "grey",
        "gray",
        "beige",
        "navy",
        "cream",
        "gold",
        "silver",
        "multi",
        "multicolour",
        "multicolor",
        "clear",
        "natural",
        "khaki",
        "olive",
        "teal",
        "maroon",
        "marron",
        "biege",
        "ivory",
        "colour",
        "color",
        "light",
        "dark",
        "bright",
        "pale",
        "nude",
        "tan",
        "burgundy",
        "lilac",
        "coral",
        "mint",
        "charcoal",
        "no",
        "commercial",
        "value",
        "ncv",
        "customs",
        "purposes",
        "purpose",
        "only",
        "declared",
    ]
)
_WHAT = 'what the goods are (the article itself, e.g. "scarf", "mug")'
_KIND = "what kind of {term} it is: its function or use, and what it is made of"


@dataclass(frozen=True, slots=True)
class VagueAssessment:
    vague: bool
    strong: bool  # vague whatever the model says (no goods words, generic term, pattern)
    reasons: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VagueDetector:
    terms: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    generic: dict[str, InterceptTerm]

    @classmethod
    def from_lists(cls, lists: VagueLists) -> VagueDetector:
        generic: dict[str, InterceptTerm] = {}
        for t in lists.intercept:
            if t.template != "Generic":
                continue
            for w in (t.term, *t.related):
                generic[w.lower().strip()] = t
        return cls(lists.terms, tuple(re.compile(p, re.I) for p in lists.patterns), generic)

    def assess(self, raw: str, normalised: str) -> VagueAssessment:
        """Is ``raw`` too vague? ``strong`` verdicts abstain whatever the model says."""
        goods_words = [w for w in words(normalised) if w not in NON_GOODS_WORDS]
        if not goods_words:
            return VagueAssessment(
                True,
                True,
                ("no word naming the goods (only sizes, colours, quantities)",),
                (_WHAT,),
            )
        for p in self.patterns:
            if p.search(raw.strip()):
                return VagueAssessment(
                    True, True, (f"matches vague pattern {p.pattern!r}",), (_WHAT,)
                )
        term = self.generic.get(normalised) or self.generic.get(" ".join(goods_words))
        if term is not None:
            missing = [_KIND.format(term=term.term)]
            if term.notes:
                missing.append(term.notes)
            return VagueAssessment(
                True, True, (f"{term.term!r} is a generic term HMRC intercepts",), tuple(missing)
            )
        if normalised in self.terms:
            return VagueAssessment(
                True,
                False,
                ("listed among parcel descriptions HMRC found too vague to classify",),
                (_KIND.format(term=normalised),),
            )
        return VagueAssessment(False, False, (), ())
