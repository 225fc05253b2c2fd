"""Features a customs analyst would build, turned into a matrix for the model.

Every declaration is described by *components* (subheading, heading, chapter, origin, route,
importer, declarant, seller, the declared value and mass as written, tax rate, ...). For each
component and each meaningful combination (importer × subheading, subheading × origin, ...) the
encoder keeps a *history*: how many past declarations carried that key and how often a control
found something (a smoothed target encoding). Unit value per kilogram is compared with the
history of its subheading, subheading × origin and heading.

Leak-proofing: while fitting, each training row sees only the history of the OTHER folds
(out-of-fold encoding), so its own label never reaches its own features; scoring uses the history
of all training rows. Counts seen out of fold are scaled up to the full history's size.

>>> from datetime import date
>>> from decimal import Decimal
>>> from customhouse.risk.models import RiskSubject
>>> rows = [RiskSubject(declaration_id=str(i), commodity_code="392690", origin="CN",
...                     customs_value=Decimal(100 + i), net_mass=Decimal(1),
...                     lodged_on=date(2024, 1, 1), importer_id="IMP" + str(i % 2))
...         for i in range(20)]
>>> labels = [i % 2 for i in range(20)]
>>> matrix, encoder = FeatureEncoder.fit(rows, labels, folds=5, seed=1)
>>> matrix.shape == (20, len(encoder.feature_names))
True
>>> col = encoder.feature_names.index("te:importer")
>>> bool(encoder.transform(rows[:2])[1, col] > encoder.transform(rows[:2])[0, col])
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from customhouse.risk.models import RiskSubject

FloatMatrix = npt.NDArray[np.float64]

FORMAT_VERSION = 1
_SEP = "\x1f"

# Component -> words an officer reads in a reason.
COMPONENT_LABELS: dict[str, str] = {
    "hs2": "chapter",
    "hs4": "heading",
    "hs6": "subheading",
    "origin": "origin",
    "departure": "departure country",
    "importer": "importer",
    "declarant": "declarant",
    "seller": "seller",
    "office": "office",
    "procedure": "procedure",
    "transport": "transport mode",
    "tax_rate": "tax rate",
    "value": "declared value",
    "mass": "declared net mass",
}

# Histories kept (target-encoded). Single components, then combinations an analyst looks at.
BASE_KEYS: tuple[tuple[str, ...], ...] = (
    ("hs2",),
    ("hs4",),
    ("hs6",),
    ("origin",),
    ("departure",),
    ("importer",),
    ("declarant",),
    ("seller",),
    ("office",),
    ("procedure",),
    ("transport",),
    ("tax_rate",),
    ("value",),
    ("mass",),
    ("departure", "origin"),
    ("hs6", "origin"),
    ("importer", "hs6"),
    ("declarant", "importer"),
    ("importer", "seller"),
    ("hs6", "value"),
    ("hs6", "mass"),
    ("mass", "value"),
    ("origin", "value"),
    ("tax_rate", "value"),
)

# Unit value compared with the history of these keys.
UNIT_VALUE_KEYS: tuple[tuple[str, ...], ...] = (("hs6",), ("hs6", "origin"), ("hs4",), ("origin",))

# Components given to LightGBM as native categoricals when they have few values (<= 32).
CATEGORICAL_COMPONENTS: tuple[str, ...] = (
    "hs2",
    "origin",
    "departure",
    "office",
    "procedure",
    "transport",
)

NUMERIC_FEATURES: tuple[str, ...] = (
    "tax_rate",
    "log_value",
    "log_mass",
    "log_unit_value",
    "log_duty",
    "log_quantity",
)


def _plain(amount: Decimal | None) -> str:
    """A number as written, so 12.50 and 12.5 share one history.

    >>> _plain(Decimal("12.50")), _plain(Decimal("100")), _plain(None)
    ('12.5', '100', '')
    """
    if amount is None:
        return ""
    return format(amount.normalize(), "f")


def key_name(components: tuple[str, ...]) -> str:
    return "*".join(components)


def _label(components: tuple[str, ...]) -> str:
    return " × ".join(
        COMPONENT_LABELS.get(c, c.removeprefix("attr:").replace("_", " ")) for c in components
    )


def _components(
    subjects: Sequence[RiskSubject], attribute_keys: Sequence[str]
) -> dict[str, list[str]]:
    cols: dict[str, list[str]] = {
        "hs2": [s.commodity_code[:2] for s in subjects],
        "hs4": [s.commodity_code[:4] for s in subjects],
        "hs6": [s.commodity_code[:6] for s in subjects],
        "origin": [s.origin for s in subjects],
        "departure": [s.departure for s in subjects],
        "importer": [s.importer_id for s in subjects],
        "declarant": [s.declarant_id for s in subjects],
        "seller": [s.seller_id for s in subjects],
        "office": [s.office for s in subjects],
        "procedure": [s.procedure for s in subjects],
        "transport": [s.transport_mode for s in subjects],
        "tax_rate": [_plain(s.tax_rate) for s in subjects],
        "value": [_plain(s.customs_value) for s in subjects],
        "mass": [_plain(s.net_mass) for s in subjects],
    }
    for key in attribute_keys:
        cols["attr:" + key] = [s.attributes.get(key, "") for s in subjects]
    return cols


def _keys(cols: dict[str, list[str]], components: tuple[str, ...]) -> list[str]:
    if len(components) == 1:
        return cols[components[0]]
    return [_SEP.join(parts) for parts in zip(*(cols[c] for c in components), strict=True)]


def _log1p(values: Sequence[Decimal | None]) -> npt.NDArray[np.float64]:
    return np.array(
        [math.log1p(float(v)) if v is not None and v >= 0 else math.nan for v in values],
        dtype=np.float64,
    )


def _numeric(subjects: Sequence[RiskSubject]) -> tuple[FloatMatrix, npt.NDArray[np.float64]]:
    unit = _log1p([s.unit_value for s in subjects])
    matrix = np.column_stack(
        [
            np.array(
                [float(s.tax_rate) if s.tax_rate is not None else math.nan for s in subjects],
                dtype=np.float64,
            ),
            _log1p([s.customs_value for s in subjects]),
            _log1p([s.net_mass for s in subjects]),
            unit,
            _log1p([s.duty_amount for s in subjects]),
            _log1p([s.quantity for s in subjects]),
        ]
    )
    return matrix, unit


@dataclass
class _History:
    """Per-key history: count, smoothed finding rate, mean log unit value."""

    index: dict[str, int]
    count: npt.NDArray[np.float64]
    rate: npt.NDArray[np.float64]

    def lookup(self, keys: Sequence[str], prior: float) -> tuple[FloatMatrix, FloatMatrix]:
        idx = np.fromiter((self.index.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
        # Unseen keys: no count, the prior rate (without copying the whole history per call).
        seen = idx >= 0
        count = np.zeros(len(keys))
        rate = np.full(len(keys), prior)
        count[seen] = self.count[idx[seen]]
        rate[seen] = self.rate[idx[seen]]
        return count, rate


@dataclass
class FeatureEncoder:
    """Fitted histories; turns subjects into the model's feature matrix."""

    prior: float
    smoothing: float
    attribute_keys: tuple[str, ...]
    histories: dict[str, _History]
    unit_values: dict[str, _History]
    vocabularies: dict[str, dict[str, int]]
    feature_names: list[str] = field(default_factory=list)
    feature_labels: list[str] = field(default_factory=list)
    categorical_features: list[str] = field(default_factory=list)

    @property
    def te_keys(self) -> tuple[tuple[str, ...], ...]:
        return BASE_KEYS + tuple(("attr:" + k,) for k in self.attribute_keys)

    def _layout(self) -> None:
        names: list[str] = []
        labels: list[str] = []
        for comps in self.te_keys:
            names += ["te:" + key_name(comps), "n:" + key_name(comps)]
            labels += [_label(comps), _label(comps)]
        for comps in UNIT_VALUE_KEYS:
            names.append("uvdev:" + key_name(comps))
            labels.append(_label(comps))
        names += ["num:" + n for n in NUMERIC_FEATURES]
        labels += [n.removeprefix("log_").replace("_", " ") for n in NUMERIC_FEATURES]
        cats = list(self.vocabularies)
        names += ["cat:" + c for c in cats]
        labels += [_label((c,)) for c in cats]
        self.feature_names, self.feature_labels = names, labels
        self.categorical_features = ["cat:" + c for c in cats]

    # -- fitting ----------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        subjects: Sequence[RiskSubject],
        labels: Sequence[int] | npt.NDArray[np.int64],
        *,
        folds: int = 5,
        seed: int = 0,
        smoothing: float = 10.0,
        max_categories: int = 32,
    ) -> tuple[FloatMatrix, FeatureEncoder]:
        """Fit histories on labelled subjects; return their OUT-OF-FOLD matrix and the encoder.

        The fold of each row comes from a generator seeded with ``seed``; no global state.
        """
        y = np.asarray(labels, dtype=np.float64)
        n = len(subjects)
        if n != len(y):
            raise ValueError("one label per subject")
        prior = float(y.mean()) if n else 0.0
        folds = max(2, min(folds, n)) if n >= 2 else 1
        fold_of = np.random.default_rng(seed).permutation(n) % folds
        scale = folds / (folds - 1) if folds > 1 else 1.0
        attribute_keys = tuple(sorted({k for s in subjects for k in s.attributes}))
        cols = _components(subjects, attribute_keys)
        numeric, unit = _numeric(subjects)
        enc = cls(prior, smoothing, attribute_keys, {}, {}, {})
        blocks: list[FloatMatrix] = []

        for comps in enc.te_keys:
            ids, index = _factorize(_keys(cols, comps))
            tot_n = np.bincount(ids, minlength=len(index)).astype(np.float64)
            tot_y = np.bincount(ids, weights=y, minlength=len(index))
            oof_n = np.empty(n)
            oof_rate = np.empty(n)
            for f in range(folds):
                rows = fold_of == f
                if folds > 1:
                    in_n = np.bincount(ids[rows], minlength=len(index))
                    in_y = np.bincount(ids[rows], weights=y[rows], minlength=len(index))
                    out_n = (tot_n - in_n)[ids[rows]]
                    out_y = (tot_y - in_y)[ids[rows]]
                else:
                    out_n, out_y = np.zeros(rows.sum()), np.zeros(rows.sum())
                oof_n[rows] = out_n * scale
                oof_rate[rows] = (out_y + smoothing * prior) / (out_n + smoothing)
            enc.histories[key_name(comps)] = _History(
                index, tot_n, (tot_y + smoothing * prior) / (tot_n + smoothing)
            )
            blocks += [oof_rate, oof_n]

        for comps in UNIT_VALUE_KEYS:
            ids, index = _factorize(_keys(cols, comps))
            known = ~np.isnan(unit)
            w = np.where(known, unit, 0.0)
            uv_n = np.bincount(ids, weights=known.astype(np.float64), minlength=len(index))
            tot_s = np.bincount(ids, weights=w, minlength=len(index))
            dev = np.full(n, math.nan)
            for f in range(folds if folds > 1 else 0):
                rows = fold_of == f
                in_n = np.bincount(
                    ids[rows], weights=known[rows].astype(np.float64), minlength=len(index)
                )
                in_s = np.bincount(ids[rows], weights=w[rows], minlength=len(index))
                out_n = (uv_n - in_n)[ids[rows]]
                out_s = (tot_s - in_s)[ids[rows]]
                with np.errstate(divide="ignore", invalid="ignore"):
                    dev[rows] = np.where(out_n > 0, unit[rows] - out_s / out_n, math.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                mean = np.where(uv_n > 0, tot_s / uv_n, math.nan)
            enc.unit_values[key_name(comps)] = _History(index, uv_n.astype(np.float64), mean)
            blocks.append(dev)

        blocks += list(numeric.T)
        for comp in (*CATEGORICAL_COMPONENTS, *("attr:" + k for k in attribute_keys)):
            values = sorted(set(cols[comp]))
            if len(values) > max_categories:
                continue  # many values: the target-encoded history already carries it
            vocab = {v: i for i, v in enumerate(values)}
            enc.vocabularies[comp] = vocab
            blocks.append(np.array([vocab[v] for v in cols[comp]], dtype=np.float64))

        enc._layout()
        return np.column_stack(blocks) if blocks else np.zeros((n, 0)), enc

    # -- scoring ----------------------------------------------------------------------------

    def transform(self, subjects: Sequence[RiskSubject]) -> FloatMatrix:
        """The feature matrix of new subjects against the full training history."""
        cols = _components(subjects, self.attribute_keys)
        numeric, unit = _numeric(subjects)
        blocks: list[FloatMatrix] = []
        for comps in self.te_keys:
            count, rate = self.histories[key_name(comps)].lookup(_keys(cols, comps), self.prior)
            blocks += [rate, count]
        for comps in UNIT_VALUE_KEYS:
            _count, mean = self.unit_values[key_name(comps)].lookup(_keys(cols, comps), math.nan)
            blocks.append(unit - mean)
        blocks += list(numeric.T)
        for comp, vocab in self.vocabularies.items():
            # Unseen values become NaN: LightGBM sends them down the "missing" branch.
            blocks.append(np.array([vocab.get(v, math.nan) for v in cols[comp]], dtype=np.float64))
        return np.column_stack(blocks) if subjects else np.zeros((0, len(self.feature_names)))

    def describe(self, feature: int, value: float, subject: RiskSubject) -> str:
        """Words for one feature's value on one subject, for an officer."""
        name = self.feature_names[feature]
        label = self.feature_labels[feature]
        kind, _, rest = name.partition(":")
        if kind == "te":
            count, _rate = self.histories[rest].lookup(
                _keys(_components([subject], self.attribute_keys), _split(rest)), self.prior
            )
            if count[0] == 0:
                return f"{label}: no history"
            return f"{label} history: findings in {value:.0%} of {int(count[0])} past controls"
        if kind == "n":
            return f"{label}: {int(value)} past declarations" if value else f"{label}: unseen"
        if kind == "uvdev":
            if math.isnan(value):
                return f"unit value per kg: no {label} history"
            return f"unit value per kg {math.exp(value):.2f}× the {label} average"
        if kind == "num":
            if math.isnan(value):
                return f"{label}: unknown"
            shown = value if rest == "tax_rate" else math.expm1(value)
            return f"{label} {shown:,.2f}"
        comp = rest
        raw = _components([subject], self.attribute_keys)[comp][0]
        return f"{label} {raw or '(empty)'}"

    # -- serialization ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        def hist(h: _History) -> dict[str, Any]:
            keys = sorted(h.index, key=h.index.__getitem__)
            return {
                "keys": keys,
                "count": [round(float(c), 3) for c in h.count],
                "rate": [None if math.isnan(r) else round(float(r), 6) for r in h.rate],
            }

        return {
            "format": FORMAT_VERSION,
            "prior": self.prior,
            "smoothing": self.smoothing,
            "attribute_keys": list(self.attribute_keys),
            "histories": {k: hist(h) for k, h in self.histories.items()},
            "unit_values": {k: hist(h) for k, h in self.unit_values.items()},
            "vocabularies": {k: sorted(v, key=v.__getitem__) for k, v in self.vocabularies.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureEncoder:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"feature format {data.get('format')!r} is not {FORMAT_VERSION}")

        def hist(d: dict[str, Any]) -> _History:
            return _History(
                {k: i for i, k in enumerate(d["keys"])},
                np.array(d["count"], dtype=np.float64),
                np.array([math.nan if r is None else r for r in d["rate"]], dtype=np.float64),
            )

        enc = cls(
            float(data["prior"]),
            float(data["smoothing"]),
            tuple(data["attribute_keys"]),
            {k: hist(v) for k, v in data["histories"].items()},
            {k: hist(v) for k, v in data["unit_values"].items()},
            {k: {v: i for i, v in enumerate(vs)} for k, vs in data["vocabularies"].items()},
        )
        enc._layout()
        return enc


def _split(name: str) -> tuple[str, ...]:
    return tuple(name.split("*"))


def _factorize(keys: Sequence[str]) -> tuple[npt.NDArray[np.int64], dict[str, int]]:
    index: dict[str, int] = {}
    ids = np.fromiter(
        (index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys)
    )
    return ids, index
