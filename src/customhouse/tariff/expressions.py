"""Duty expressions: the model and a hand-written recursive-descent parser.

One language covers the rate texts of the US HTS ("4.4 cents/kg + 6%"), the UK/EU TARIC
duty sentences ("10.20 % + 93.10 EUR / 100 kg MIN ..."), tamato-style compact forms
("20%+10EUR/100kg", "172.200 GBP DTN Z") and the Australian schedule (preference groups and
phased rates: "5% DCS4% CAFree", "From1July2018 3.75%").

>>> e = parse("30.5 cents/kg + 8.5%")
>>> [c.kind for c in e.components], e.operator
(['specific', 'ad_valorem'], 'sum')
>>> e.components[0].amount, e.components[0].per
(Decimal('0.305'), Per(quantity=Decimal('1'), unit='kg'))
>>> parse("Free").free
True
>>> parse("The rate applicable in the absence of this heading").computable
False
>>> parse("10% + 100 ABC / 100 kg")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
customhouse.tariff.errors.InvalidMonetaryUnit: unknown currency 'ABC' at position 10 in ...
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from customhouse.tariff.errors import (
    DuplicateDutyExpression,
    InvalidMeasurementUnit,
    InvalidMeasurementUnitQualifier,
    InvalidMonetaryUnit,
    QualifierNotPermittedForUnit,
    UnparsableExpression,
)
from customhouse.tariff.units import CURRENCIES

KINDS = (
    "ad_valorem",
    "specific",
    "minimum",
    "maximum",
    "adjustment",
    "base_rate_reference",
    "supplementary_unit",
    "agricultural_component",
    "nihil",
)


@dataclass(frozen=True, slots=True)
class Per:
    """The unit a specific amount is charged on: ``quantity`` x ``unit`` (e.g. 100 kg)."""

    quantity: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Component:
    """One part of a duty expression.

    ``kind`` is one of :data:`KINDS`. ``minimum`` / ``maximum`` carry either their own rate
    fields (one part) or ``parts`` (a compound clause such as ``MAX 1.00% + 0.90 GBP / 100 kg``).
    """

    kind: str
    rate_percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    per: Per | None = None
    qualifier: str | None = None
    basis: str | None = None
    sign: str = "+"
    if_present: bool = False
    applies_above: Decimal | None = None
    multiplied_by: str | None = None
    abv_threshold_percent: Decimal | None = None
    per_degree_below: Decimal | None = None
    driver: str | None = None
    proportional_fractions: bool = False
    reduced: bool = False
    season: tuple[str, str] | None = None
    parts: tuple[Component, ...] = ()
    text: str | None = None
    unit_code: str | None = None

    @property
    def is_zero(self) -> bool:
        """True when the part can never charge anything (0 %, 0.00 EUR / 100 kg, NIHIL)."""
        if self.kind == "nihil":
            return True
        if self.kind == "ad_valorem":
            return self.rate_percent == 0
        if self.kind == "specific":
            return self.amount == 0
        return False

    def as_dict(self) -> dict[str, Any]:
        """The vector/JSON form (decimal strings, only the fields that are set)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.parts:
            out["parts"] = [p.as_dict() for p in self.parts]
        if self.rate_percent is not None:
            out["rate_percent"] = str(self.rate_percent)
        if self.amount is not None:
            out["amount"] = str(self.amount)
        if self.currency is not None:
            out["currency"] = self.currency
        if self.kind in ("specific", "adjustment", "supplementary_unit") or self.per is not None:
            out["per"] = (
                {"quantity": str(self.per.quantity), "unit": self.per.unit} if self.per else None
            )
        for name in ("qualifier", "basis", "multiplied_by", "driver", "text", "unit_code"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.sign == "-":
            out["sign"] = "-"
        if self.if_present:
            out["if_present"] = True
        if self.reduced:
            out["reduced"] = True
        if self.proportional_fractions:
            out["proportional_fractions"] = True
        for name in ("applies_above", "abv_threshold_percent", "per_degree_below"):
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        if self.season is not None:
            out["season"] = {"from": self.season[0], "to": self.season[1]}
        return out


@dataclass(frozen=True, slots=True)
class PreferenceRate:
    """A rate printed after the general one for a group of preference codes (AU schedule)."""

    codes: tuple[str, ...]
    free: bool
    components: tuple[Component, ...]


@dataclass(frozen=True, slots=True)
class Stage:
    """A phased rate that applies from ``start`` (ISO date) on."""

    start: str
    free: bool
    components: tuple[Component, ...]


@dataclass(frozen=True, slots=True)
class DutyExpression:
    """A parsed rate text.

    ``computable`` is False for textual rates ("The rate applicable to ..."); those carry no
    components and must be priced by an officer, never as zero.
    """

    text: str
    components: tuple[Component, ...] = ()
    free: bool = False
    computable: bool = True
    preferential: tuple[PreferenceRate, ...] = ()
    staging: tuple[Stage, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def operator(self) -> str:
        """How the components combine: single, sum, sum_min_max, reference, none, text ..."""
        if not self.computable:
            return "text"
        kinds = [c.kind for c in self.components]
        if not kinds:
            return "staged" if self.staging else "none"
        if any(c.season for c in self.components):
            return "seasonal"
        if "base_rate_reference" in kinds:
            return "reference"
        if self.free or all(k == "supplementary_unit" for k in kinds):
            return "none"
        if "minimum" in kinds or "maximum" in kinds:
            return "sum_min_max"
        return "single" if len(kinds) == 1 else "sum"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "expression": self.text,
            "free": self.free,
            "computable": self.computable,
            "operator": self.operator,
            "components": [c.as_dict() for c in self.components],
        }
        if self.preferential:
            out["preferential"] = [
                {
                    "codes": list(p.codes),
                    "free": p.free,
                    "components": [c.as_dict() for c in p.components],
                }
                for p in self.preferential
            ]
        if self.staging:
            out["staging"] = [
                {"from": s.start, "free": s.free, "components": [c.as_dict() for c in s.components]}
                for s in self.staging
            ]
        if self.notes:
            out["notes"] = "; ".join(self.notes)
        return out


# --------------------------------------------------------------------------------------------
# lexical pieces

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}

# Openers of textual rates (US HTS chapter 98/99, AU scraping noise). Anything else that does
# not parse is an invalid expression, never silently text.
_TEXT_OPENERS = re.compile(
    r"(?i)(the\s|a\s+duty\b|an?\s|no\s+(change|additional)|see\s|view\s|suspended\b|as\s+provided"
    r"|subject\s+to\b|rate\s+applicable\b)"
)
_REFERENCE = re.compile(
    r"(?i)the\s+duty\s+(?:rate\s+)?provided\s+in\s+(?:the\s+applicable|such)\s+subheading"
)

# Unit words after "/" or "per": (regex, unit, quantity, qualifier, unit_code, extra fields)
_Unit = tuple[str, str, str, str | None, str | None, dict[str, str]]
_UNITS: list[_Unit] = [
    (r"line\s*/\s*gross", "line_gross", "1", None, None, {}),
    (r"pf\.\s*lit(?:er|re)s?|proof\s+lit(?:er|re)s?", "pf_l", "1", None, None, {}),
    (r"l\s+alc\.\s*100\s*%", "lpa", "1", None, "LPA", {}),
    (r"l(?:it(?:er|re)s?)?\s+of\s+(?:pure\s+)?alcohol", "lpa", "1", None, None, {}),
    (r"%\s*vol\s*/\s*hl", "hl", "1", None, "ASV", {"multiplied_by": "abv_percent"}),
    (
        r"for\s+each\s+litre\s+of\s+pure\s+alcohol,\s*multiplied\s+by\s+the\s+SPR\s+discount",
        "lpa",
        "1",
        None,
        "SPQ",
        {"multiplied_by": "spr_discount"},
    ),
    (r"clean\s+kg", "kg", "1", "clean", None, {}),
    (r"lin\.\s*m\b", "m", "1", "linear", None, {}),
    (r"thousand\b", "item", "1000", None, "MIL", {}),
    (r"kilograms?\b|kgs?\b", "kg", "1", None, "KGM", {}),
    (r"grams?\b|g\b", "g", "1", None, "GRM", {}),
    (r"metric\s+tons?\b|tonnes?\b|t\b", "t", "1", None, "TNE", {}),
    (r"hl\b|hectolit(?:er|re)s?\b", "hl", "1", None, "HLT", {}),
    (r"lit(?:er|re)s?\b|l\b", "l", "1", None, "LTR", {}),
    (r"m2\b|m²|sq\.?\s*m\b", "m2", "1", None, "MTK", {}),
    (r"m3\b|m³", "m3", "1", None, "MTQ", {}),
    (r"m\b|met(?:er|re)s?\b", "m", "1", None, "MTR", {}),
    (r"doz\.|dozens?\b|doz\b", "doz", "1", None, None, {}),
    (r"gross\b", "gross", "1", None, None, {}),
    (r"pr\.|pairs?\b|pa\b", "pr", "1", None, "NPR", {}),
    (r"head\b", "head", "1", None, None, {}),
    (r"bbl\b|barrels?\b", "bbl", "1", None, None, {}),
    (r"jewels?\b", "jewel", "1", None, None, {}),
    (r"packs?\b", "pack", "1", None, None, {}),
    (
        r"p/st(?![a-z])|items?\b|pieces?\b|pcs\b|no\.(?=\s|$)|sticks?\b",
        "item",
        "1",
        None,
        "NAR",
        {},
    ),
    (r"articles?\b", "item", "1", "article", None, {}),
    (r"kwh\b", "kwh", "1", None, None, {}),
    (r"carats?\b|c/k\b", "carat", "1", None, "CTM", {}),
]
_UNITS_RE = [(re.compile(p, re.I), u, q, ql, code, extra) for p, u, q, ql, code, extra in _UNITS]

# TARIC code form ("DTN Z"): measurement unit code -> (unit, quantity)
_UNIT_CODES = {
    "KGM": ("kg", "1"),
    "DTN": ("kg", "100"),
    "TNE": ("kg", "1000"),
    "GRM": ("g", "1"),
    "LTR": ("l", "1"),
    "HLT": ("hl", "1"),
    "LPA": ("lpa", "1"),
    "NAR": ("item", "1"),
    "CEN": ("item", "100"),
    "MIL": ("item", "1000"),
    "NPR": ("pr", "1"),
    "MTK": ("m2", "1"),
    "MTQ": ("m3", "1"),
    "MTR": ("m", "1"),
    "KLT": ("l", "1000"),
}
# Measurement unit qualifiers (TARIC abbreviations after "/"), with the units they may follow.
# tamato's fixtures bind "lactic." (and code Z) to 100 kg only; the rest follow the TARIC table.
_Qual = tuple[str, str | None, frozenset[tuple[str, str]] | None, dict[str, str]]
_QUALIFIERS: list[tuple[re.Pattern[str], _Qual]] = [
    (
        re.compile(r"net\s*/\s*%\s*sacchar?\.?", re.I),
        ("net", "Z", None, {"multiplied_by": "sucrose_percent"}),
    ),
    (re.compile(r"lactic\.?", re.I), ("lactic matter", "Z", frozenset({("kg", "100")}), {})),
    (re.compile(r"biodiesel\b", re.I), ("biodiesel", "I", None, {})),
    (re.compile(r"bioethanol\b", re.I), ("bioethanol", "K", None, {})),
    (re.compile(r"fuel\s+content\b", re.I), ("fuel content", "J", None, {})),
    (re.compile(r"net\s+eda\b", re.I), ("drained weight", "E", None, {})),
    (re.compile(r"net\s+mas\b", re.I), ("dry matter", "M", None, {})),
    (re.compile(r"tot\s*/\s*alc\b", re.I), ("total alcohol", "A", None, {})),
    (re.compile(r"br\b", re.I), ("gross", "G", None, {})),
    (re.compile(r"raw\s+sugar\b", re.I), ("raw sugar", "S", None, {})),
    (re.compile(r"net\b", re.I), ("net", None, None, {})),
]
_QUALIFIER_CODES = {
    "Z": "lactic matter",
    "I": "biodiesel",
    "K": "bioethanol",
    "J": "fuel content",
    "E": "drained weight",
    "M": "dry matter",
    "A": "total alcohol",
    "G": "gross",
    "S": "raw sugar",
}

_AGRI = {"AC": ("", False), "EA": ("", False), "ADSZ": ("sugar", False), "ADFM": ("flour", False)}

_STOP_WORDS = frozenset({"plus", "less", "minus", "MIN", "MAX"})


def normalise(text: str) -> str:
    """Undo scraping damage: HTML entities and tags, zero-width and odd spaces.

    >>> normalise("5% CA\\u200bFree\\u200b")
    '5% CAFree'
    >>> normalise("From 11 February 2020&#58; 3.3%")
    'From 11 February 2020: 3.3%'
    """
    t = re.sub(r"<[^>]+>", "", text)
    t = html.unescape(t)
    t = t.replace("\u200b", "").replace("\ufeff", "").replace("\u00a0", " ")
    t = re.sub(r"\s+", " ", t)
    return t.strip()


@dataclass
class ParseOptions:
    """Profile configuration for the parser: what a bare ``$`` means (USD in the US, AUD in AU)."""

    dollar: str = "USD"


@dataclass
class _Part:
    component: Component
    connector: str  # "+", "-", "min", "max", "start"
    plus_symbol: bool = False


@dataclass
class _State:
    notes: list[str] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str, options: ParseOptions) -> None:
        self.original = text
        self.s = normalise(text)
        self.i = 0
        self.opt = options
        self.state = _State()

    # -- cursor helpers ------------------------------------------------------------------------
    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] == " ":
            self.i += 1

    def match(self, pattern: str | re.Pattern[str], flags: int = re.I) -> re.Match[str] | None:
        self.ws()
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        m = rx.match(self.s, self.i)
        if m:
            self.i = m.end()
        return m

    def peek(self, pattern: str, flags: int = re.I) -> bool:
        save = self.i
        self.ws()
        m = re.compile(pattern, flags).match(self.s, self.i)
        self.i = save
        return m is not None

    def at_end(self) -> bool:
        self.ws()
        return self.i >= len(self.s)

    def fail(self, message: str, cls: type[UnparsableExpression] = UnparsableExpression) -> None:
        raise cls(message, self.original, self.i)

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> DutyExpression:
        if not self.s:
            self.fail("empty expression")
        if _REFERENCE.match(self.s) is None and _TEXT_OPENERS.match(self.s):
            return DutyExpression(text=self.original, computable=False, notes=("textual rate",))
        staging: list[Stage] = []
        if self.peek(r"from(?=\s*\d)"):
            staging = self.stages()
            self.expect_end()
            return DutyExpression(text=self.original, staging=tuple(staging))
        free, comps = self.rate()
        prefs = self.preferences()
        if self.peek(r"from(?=\s*\d)"):
            staging = self.stages()
        self.expect_end()
        return DutyExpression(
            text=self.original,
            components=tuple(comps),
            free=free,
            preferential=tuple(prefs),
            staging=tuple(staging),
            notes=tuple(self.state.notes),
        )

    def expect_end(self) -> None:
        if not self.at_end():
            word = re.match(r"\S+", self.s[self.i :])
            self.fail(f"unexpected {word.group(0) if word else 'text'!r}")

    def rate(self) -> tuple[bool, list[Component]]:
        """A complete rate: Free, NIHIL, a supplementary unit alone, or a duty sentence."""
        m = self.match(r"free\b")
        if m:
            rest = self.match(r",\s*([^A-Z$\d][^$]*?)(?=\s+[A-Z]{2,5}\s*(?:/|Free|\$|\d)|$)", 0)
            if rest:
                self.state.notes.append(rest.group(1).strip())
            return True, []
        if self.match(r"nihil\b"):
            return True, [Component(kind="nihil")]
        unit_only = self.supplementary_unit()
        if unit_only is not None:
            return False, [unit_only]
        comps = self.sentence()
        free = bool(comps) and all(c.is_zero for c in comps)
        return free, comps

    def supplementary_unit(self) -> Component | None:
        """A unit with nothing else ("kg", "100 kg", "p/st"): declares a quantity, no duty."""
        save = self.i
        qty = self.match(NUM)
        unit = self.unit_word()
        if unit is not None and self.at_end():
            u, q, qualifier, code, extra = unit
            quantity = _dec(qty.group(0)) * Decimal(q) if qty else Decimal(q)
            return Component(
                kind="supplementary_unit",
                per=Per(quantity, u),
                qualifier=qualifier,
                unit_code=code,
                **_extra(extra),
            )
        self.i = save
        return None

    def sentence(self) -> list[Component]:
        parts: list[_Part] = [_Part(self.term(), "start")]
        while True:
            if self.match(r"\+|plus\b(?=\s*\S)|,?\s*and\b(?!\s+(?:case|strap))"):
                self.after_connector(parts, "+", self.s[self.i - 1 : self.i])
                continue
            if self.peek(r"plus\s*$"):
                self.match(r"plus")
                self.state.notes.append("dangling 'plus': the source text is truncated")
                break
            if self.match(r"minus\b|-(?=\s*[\d$£€.])|-\s*(?=£|€|\$)"):
                self.after_connector(parts, "-", "-")
                continue
            m = self.match(r"less\b(?=\s*" + NUM + r"\s*(?:cents?|¢))|less\b(?=\s*\$)")
            if m:
                parts.append(_Part(self.adjustment(), "+"))
                continue
            if self.match(r",?\s*less\s+" + NUM + r"\s*%"):
                self.state.notes.append(self.s[: self.i].rsplit(",", 1)[-1].strip())
                continue
            if self.match(r"MIN\b", 0) or self.match(
                r",?\s*but\s+not\s+less\s+than\b|,\s*or,?\s*if\s+higher,?"
            ):
                parts.append(_Part(self.term(), "min"))
                continue
            if self.match(r"MAX\b", 0) or self.match(
                r",?\s*but\s+not\s+more\s+than\b|,\s*or,?\s*if\s+lower,?"
            ):
                parts.append(_Part(self.term(), "max"))
                continue
            if self.match(r",\s*but\s+if\b.*$"):
                self.state.notes.append(self.s[self.s.find("but if") :].strip())
                continue
            if self.match(r";"):
                if self.at_end():
                    break
                parts.append(_Part(self.term(), "+"))
                continue
            break
        self.check_sequence(parts)
        return _combine(parts)

    def after_connector(self, parts: list[_Part], connector: str, symbol: str) -> None:
        if self.match(r"(AC|EA|ADSZ|ADFM)\b(\s*\(\s*reduced\s*\)|\s*R\b)?", 0):
            m = re.match(r"\s*(\w+)(.*)", self.s[: self.i].rsplit("+", 1)[-1])
            code = m.group(1) if m else "AC"
            reduced = bool(m and "reduc" in m.group(2).lower()) or bool(
                m and m.group(2).strip() == "R"
            )
            what = _AGRI.get(code, ("", False))[0]
            parts.append(
                _Part(
                    Component(kind="agricultural_component", reduced=reduced, text=what or None),
                    "+",
                )
            )
            return
        comp = self.term()
        if connector == "-":
            comp = replace(comp, sign="-")
        parts.append(_Part(comp, connector, plus_symbol=symbol == "+"))

    def check_sequence(self, parts: list[_Part]) -> None:
        """TARIC duty expression ids rise through a sentence: 01, then "+" as 04, 19, 20.

        More "+" parts than ids (tamato's DuplicateDutyExpression) is not a duty sentence.
        """
        last = 1
        for p in parts[1:]:
            if p.connector == "min":
                last = max(last, 15)
            elif p.connector == "max":
                last = max(last, 17)
            elif p.connector == "+" and p.component.kind not in (
                "agricultural_component",
                "adjustment",
            ):
                nxt = [x for x in (4, 19, 20) if x > last]
                if not nxt:
                    self.fail("too many '+' parts in one duty sentence", DuplicateDutyExpression)
                last = nxt[0]

    def term(self) -> Component:
        self.match(r"a\s+duty\s+of\b")
        m = self.match(_REFERENCE)
        if m:
            return Component(
                kind="base_rate_reference", text="duty provided in the applicable subheading"
            )
        m = self.match(r"(" + NUM + r")\s*(%|percent\b)")
        if m:
            comp = Component(kind="ad_valorem", rate_percent=_dec(m.group(1)))
            comp = self.basis(comp)
            return self.season(comp)
        money = self.money()
        if money is None:
            self.fail("expected a rate (percentage or amount)")
            raise AssertionError  # unreachable: fail raises
        amount, currency = money
        comp = Component(kind="specific", amount=amount, currency=currency)
        comp = self.per_spec(comp)
        return self.season(comp)

    def money(self) -> tuple[Decimal, str] | None:
        m = self.match(r"\$\s*(" + NUM + r")")
        if m:
            return _dec(m.group(1)), self.opt.dollar
        m = self.match(r"£\s*(" + NUM + r")")
        if m:
            return _dec(m.group(1)), "GBP"
        m = self.match(r"€\s*(" + NUM + r")")
        if m:
            return _dec(m.group(1)), "EUR"
        m = self.match(r"(" + NUM + r")\s*(?:cents?\b|¢)")
        if m:
            return _dec(m.group(1)) / 100, self.opt.dollar
        m = self.match(r"([A-Z]{3})\s*(" + NUM + r")", 0)
        if m:
            if m.group(1) not in CURRENCIES:
                self.i = m.start(1)
                self.fail(f"unknown currency {m.group(1)!r}", InvalidMonetaryUnit)
            return _dec(m.group(2)), m.group(1)
        m = self.match(r"(" + NUM + r")\s*([A-Za-z]{3})(?![A-Za-z])")
        if m:
            code = m.group(2)
            if code not in CURRENCIES:
                self.i = m.start(2)
                self.fail(f"unknown currency {code!r}", InvalidMonetaryUnit)
            return _dec(m.group(1)), code
        m = self.match(r"(" + NUM + r")\s*([A-Z]{2,5})\b", 0)
        if m:
            self.i = m.start(2)
            self.fail(f"unknown currency {m.group(2)!r}", InvalidMonetaryUnit)
        return None

    def basis(self, comp: Component) -> Component:
        if self.match(r"/\s*retail\s+price\b"):
            return replace(comp, basis="retail price", unit_code="RET")
        m = self.match(r"(?:on|of|upon)\s+(?:the\s+)?(?:value\s+of\s+(?:the\s+)?)?")
        if not m:
            return comp
        words = self.phrase()
        if not words:
            self.fail("expected what the percentage is charged on")
        comp = replace(comp, basis=words)
        if self.match(r",\s*if\s+any\b"):
            comp = replace(comp, if_present=True)
        return comp

    def phrase(self) -> str:
        """Words naming a basis or qualifier, up to the next connector or preference group."""
        words: list[str] = []
        while True:
            save = self.i
            self.ws()
            m = re.compile(r"[A-Za-z][\w.\-']*").match(self.s, self.i)
            if m is None:
                # "strap, band or bracelet": a comma inside a list of nouns
                c = re.compile(r",\s*(?=[a-z]+\s+or\s+)").match(self.s, self.i)
                if c and words:
                    self.i = c.end()
                    words[-1] += ","
                    continue
                self.i = save
                break
            word = m.group(0)
            is_code = re.fullmatch(r"[A-Z]{2,5}", word) is not None
            if (word in _STOP_WORDS and words) or is_code or word.lower() in ("plus", "less"):
                self.i = save
                break
            self.i = m.end()
            words.append(word)
        return " ".join(words).rstrip(".").strip()

    def per_spec(self, comp: Component) -> Component:
        if self.match(r"each\b"):
            return replace(comp, per=Per(Decimal(1), "item"))
        m = self.match(r"for\s+(each\s+(?!litre)[^,+]*?)(?=,|\+|$)")
        if m:
            return replace(comp, per=Per(Decimal(1), "item"), qualifier=m.group(1).strip())
        if self.match(r"/|per\b"):
            return self.unit_spec(comp)
        # TARIC code form: "172.200 GBP DTN Z"
        m = self.match(r"([A-Z]{3})(?:\s+([A-Z]))?\b", 0)
        if m:
            if m.group(1) not in _UNIT_CODES:
                self.i = m.start(1)
                self.fail(f"unknown measurement unit {m.group(1)!r}", InvalidMeasurementUnit)
            unit, q = _UNIT_CODES[m.group(1)]
            comp = replace(comp, per=Per(Decimal(q), unit), unit_code=m.group(1))
            if m.group(2):
                if m.group(2) not in _QUALIFIER_CODES:
                    self.fail(
                        f"unknown unit qualifier {m.group(2)!r}", InvalidMeasurementUnitQualifier
                    )
                comp = replace(comp, qualifier=_QUALIFIER_CODES[m.group(2)])
            return comp
        return comp

    def unit_word(self) -> tuple[str, str, str | None, str | None, dict[str, str]] | None:
        self.ws()
        for rx, unit, q, qualifier, code, extra in _UNITS_RE:
            m = rx.match(self.s, self.i)
            if m:
                self.i = m.end()
                return unit, q, qualifier, code, extra
        return None

    def unit_spec(self, comp: Component) -> Component:
        start = self.i
        qty_m = self.match(NUM)
        unit = self.unit_word()
        if unit is None:
            if qty_m is not None:
                # "$6/1000", "$1/1,000 pins": a count of items
                q = _dec(qty_m.group(0))
                comp = replace(comp, per=Per(q, "item"))
                if self.match(r"pins\b"):
                    comp = replace(comp, qualifier="pins")
                elif self.peek(r"[a-z]") and not self.peek(r"(?:on|of|over)\b"):
                    self.ws()
                    self.fail("unknown measurement unit", InvalidMeasurementUnit)
                return self.unit_suffix(comp)
            self.ws()
            self.i = max(self.i, start)
            self.fail("unknown measurement unit", InvalidMeasurementUnit)
            raise AssertionError
        u, unit_q, qualifier, code, extra = unit
        quantity = Decimal(unit_q) * (_dec(qty_m.group(0)) if qty_m else 1)
        if code in ("KGM",) and quantity == 100:
            code = "DTN"
        elif code in ("KGM",) and quantity == 1000:
            code = "TNE"
        elif code == "NAR" and quantity == 1000:
            code = "MIL"
        comp = replace(comp, per=Per(quantity, u), unit_code=code, **_extra(extra))
        if qualifier:
            comp = replace(comp, qualifier=qualifier)
        # TARIC qualifier after a slash: "1000 kg/biodiesel", "100 kg / lactic."
        if self.match(r"/(?!\s*(?:\d|\$))"):
            qpos = self.i
            self.ws()
            for rx, (name, _code, allowed, qextra) in _QUALIFIERS:
                m = rx.match(self.s, self.i)
                if m:
                    if allowed is not None and (u, str(quantity)) not in allowed:
                        self.i = qpos
                        self.fail(
                            f"qualifier {m.group(0)!r} not permitted for this unit",
                            QualifierNotPermittedForUnit,
                        )
                    self.i = m.end()
                    return replace(comp, qualifier=name, **_extra(qextra))
            self.fail("unknown measurement unit qualifier", InvalidMeasurementUnitQualifier)
        return self.unit_suffix(comp)

    def unit_suffix(self, comp: Component) -> Component:
        m = self.match(r"over\s+(" + NUM + r")")
        if m:
            comp = replace(comp, applies_above=_dec(m.group(1)))
        if self.match(r",\s*including\s+weight\s+of\s+container\b"):
            return replace(comp, qualifier="including weight of container")
        if self.match(r"TSS\b", 0):
            return replace(comp, qualifier="total soluble solids")
        if self.match(r"(?:on|of)\s+(?:the\s+)?(?=[a-z])"):
            words = self.phrase()
            comp = replace(comp, qualifier=words)
            if self.match(r"\(\s*if\s+any\s*\)"):
                comp = replace(comp, if_present=True)
            self.match(r"in\s+the\s+blend\b")
        m = self.match(
            r",\s*calculated\s+on\s+that\s+alcohol\s+content\s+by\s+which\s+the\s+percentage\s+by\s+"
            r"volume\s+of\s+alcohol\s+of\s+the\s+goods\s+exceeds\s+(" + NUM + r")\s*%?"
        )
        if m:
            comp = replace(comp, abv_threshold_percent=_dec(m.group(1)))
        return comp

    def adjustment(self) -> Component:
        money = self.money()
        if money is None:
            self.fail("expected an amount after 'less'")
            raise AssertionError
        comp = self.per_spec(Component(kind="specific", amount=money[0], currency=money[1]))
        m = self.match(r"for\s+each\s+degree\s+under\s+(" + NUM + r")\s+degrees")
        if not m:
            self.fail("expected 'for each degree under N degrees'")
            raise AssertionError
        fractions = (
            self.match(r"\(\s*and\s+fractions\s+of\s+a\s+degree\s+in\s+proportion\s*\)") is not None
        )
        return replace(
            comp,
            kind="adjustment",
            sign="-",
            per_degree_below=_dec(m.group(1)),
            driver="polarimetric_degrees",
            proportional_fractions=fractions,
        )

    def season(self, comp: Component) -> Component:
        m = self.match(r"\(\s*(\d{1,2})\s*([A-Za-z]{3})\s*-\s*(\d{1,2})\s*([A-Za-z]{3})\s*\)")
        if not m:
            return comp
        start = _month_day(m.group(2), m.group(1))
        end = _month_day(m.group(4), m.group(3))
        if start is None or end is None:
            self.fail("unknown month in a season")
            raise AssertionError
        return replace(comp, season=(start, end))

    def preferences(self) -> list[PreferenceRate]:
        out: list[PreferenceRate] = []
        code_rx = re.compile(r"((?:[A-Z]{2,5}\s*/\s*)*[A-Z]{2,5}?)\s*(?=Free|\$|\d)")
        while True:
            self.ws()
            if self.peek(r"from(?=\s*\d)"):
                break
            m = code_rx.match(self.s, self.i)
            if not m:
                break
            self.i = m.end()
            codes = tuple(c.strip() for c in m.group(1).split("/"))
            free, comps = self.rate()
            out.append(PreferenceRate(codes=codes, free=free, components=tuple(comps)))
        return out

    def stages(self) -> list[Stage]:
        out: list[Stage] = []
        while self.peek(r"from(?=\s*\d)"):
            m = self.match(r"from\s*(\d{1,2})\s*([A-Za-z]+)\s*(\d{4})\s*:?")
            if not m:
                self.fail("expected a date after 'From'")
                raise AssertionError
            md = _month_day(m.group(2), m.group(1))
            if md is None:
                self.fail("unknown month")
                raise AssertionError
            free, comps = self.rate()
            out.append(Stage(start=f"{m.group(3)}{md[1:]}", free=free, components=tuple(comps)))
        return out


def _combine(parts: list[_Part]) -> list[Component]:
    """Fold the parts after a MIN/MAX keyword into that clause."""
    out: list[Component] = []
    clause: list[Component] | None = None
    clause_kind = ""

    def close() -> None:
        if clause is None:
            return
        if len(clause) == 1:
            out.append(replace(clause[0], kind=clause_kind))
        else:
            out.append(Component(kind=clause_kind, parts=tuple(clause)))

    for p in parts:
        if p.connector in ("min", "max"):
            close()
            clause = [p.component]
            clause_kind = "minimum" if p.connector == "min" else "maximum"
        elif clause is not None:
            clause.append(p.component)
        else:
            out.append(p.component)
    close()
    return out


def _month_day(month: str, day: str) -> str | None:
    n = _MONTHS.get(month[:3].lower())
    return None if n is None else f"--{n:02d}-{int(day):02d}"


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _extra(extra: dict[str, str]) -> dict[str, Any]:
    return dict(extra)


def parse(text: str, options: ParseOptions | None = None) -> DutyExpression:
    """Parse a rate text; raise :class:`UnparsableExpression` (with position) when invalid."""
    return _Parser(text, options or ParseOptions()).parse()


def component_from_dict(data: dict[str, Any]) -> Component:
    """Build a component from its vector/JSON form (the inverse of :meth:`Component.as_dict`).

    >>> component_from_dict({"kind": "ad_valorem", "rate_percent": "6.5"}).rate_percent
    Decimal('6.5')
    """

    def dec(name: str) -> Decimal | None:
        v = data.get(name)
        return None if v is None or v == "" else Decimal(str(v))

    per = data.get("per")
    season = data.get("season")
    return Component(
        kind=data["kind"],
        rate_percent=dec("rate_percent"),
        amount=dec("amount"),
        currency=data.get("currency"),
        per=Per(Decimal(str(per["quantity"])), per["unit"]) if per else None,
        qualifier=data.get("qualifier"),
        basis=data.get("basis"),
        sign=data.get("sign", "+"),
        if_present=bool(data.get("if_present", False)),
        applies_above=dec("applies_above"),
        multiplied_by=data.get("multiplied_by"),
        abv_threshold_percent=dec("abv_threshold_percent"),
        per_degree_below=dec("per_degree_below"),
        driver=data.get("driver"),
        proportional_fractions=bool(data.get("proportional_fractions", False)),
        reduced=bool(data.get("reduced", False)),
        season=(season["from"], season["to"]) if season else None,
        parts=tuple(component_from_dict(p) for p in data.get("parts", []) or []),
        text=data.get("text"),
        unit_code=data.get("unit_code"),
    )
