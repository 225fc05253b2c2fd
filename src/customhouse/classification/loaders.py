"""Reading the shipped training texts and word lists; building them from ../shared/data.

The package ships open-licence training texts (see data/classification/NOTICE.md), not a trained
model: the model is trained from them at load time in a few seconds and cached by the caller.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from customhouse.classification.errors import TrainingDataMissing
from customhouse.classification.models import LabelledText, NomenclatureNode

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "classification"

# Sources of labelled descriptions, as named in LabelledText.source.
FPO_PARCEL = "fpo-parcel"  # HMRC parcel-operator reference descriptions (MIT)
HMRC_SEARCH = "hmrc-search-term"  # HMRC curated search terms (MIT)
FPO_BRAND = "fpo-brand"  # brand/product descriptions with analyst codes (MIT)
GB_RULING = "gb-ruling"  # HMRC advance tariff rulings (OGL v3.0)
US_HTS = "us-hts"  # USITC HTS8 brief descriptions (public domain)
NOMENCLATURE = "nomenclature"  # HS subheading text with its ancestors
RULING = "binding-ruling"  # rulings from our own database, passed in at training time


@dataclass(frozen=True, slots=True)
class InterceptTerm:
    """An over-generic search term HMRC intercepts ("accessory", "adapter") and its note."""

    term: str
    related: tuple[str, ...]
    template: str  # Generic | Hard-to-classify | Escalate
    notes: str


@dataclass(frozen=True, slots=True)
class VagueLists:
    terms: frozenset[str]  # raw descriptions judged too vague (normalised)
    patterns: tuple[str, ...]  # regular expressions over the raw description
    phrases_to_remove: tuple[str, ...]
    intercept: tuple[InterceptTerm, ...]


def _read(name: str, data_dir: Path) -> str:
    path = data_dir / name
    if not path.exists():
        raise TrainingDataMissing(f"classification data file missing: {path}")
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            return f.read()
    return path.read_text(encoding="utf-8")


def _rows(name: str, data_dir: Path) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(_read(name, data_dir)))
    next(reader)
    yield from reader


def labelled_texts(data_dir: Path = DATA_DIR) -> list[LabelledText]:
    """Every shipped labelled description (parcel texts, search terms, brands, rulings, HTS)."""
    return [LabelledText(t, c, s, tariff) for t, c, s, tariff in _rows("labelled.csv.gz", data_dir)]


def vague_lists(data_dir: Path = DATA_DIR) -> VagueLists:
    from customhouse.classification.text import normalise

    phrases = tuple(
        p.strip().lower()
        for p in _read("phrases_to_remove.txt", data_dir).splitlines()
        if p.strip()
    )
    terms = frozenset(
        n
        for line in _read("vague_terms.txt.gz", data_dir).splitlines()
        if (n := normalise(line, phrases))
    )
    patterns = tuple(
        p
        for p in _read("vague_patterns.txt", data_dir).splitlines()
        if p.strip() and not p.startswith("#")
    )
    intercept = tuple(
        InterceptTerm(term, tuple(r.strip() for r in related.split(",") if r.strip()), tpl, notes)
        for term, related, tpl, notes in _rows("intercept_terms.csv.gz", data_dir)
    )
    return VagueLists(terms, patterns, phrases, intercept)


def nomenclature_nodes() -> list[NomenclatureNode]:
    """Sections, chapters, headings and subheadings of HS 2022 from the reference package."""
    from customhouse.reference import loaders as ref

    nodes = [
        NomenclatureNode(s.section, "section", s.name, None, s.section)
        for s in ref.hs_sections()
        if s.edition == ref.HS2022.name
    ]
    level_name = {2: "chapter", 4: "heading", 6: "subheading"}
    for e in ref.hs_entries(ref.HS2022):
        if e.level in level_name:
            parent = e.parent if e.level > 2 else e.section
            nodes.append(
                NomenclatureNode(e.code, level_name[e.level], e.description, parent, e.section)
            )
    return nodes


# --- building the shipped files from ../shared/data (run by `customhouse classify build-data`) ---


def _csv_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write_gz(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    # mtime=0 keeps the file byte-identical between builds.
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def shared_labelled_texts(shared: Path) -> list[LabelledText]:
    """Training rows from ../shared/data (hold-out files are not there and are never read)."""
    fpo = shared / "uk-fpo-goods-descriptions"
    out = [
        LabelledText(r["Goods Description"], r["Commodity Code"], FPO_PARCEL, "GB")
        for r in _csv_dicts(fpo / "extra_references.csv")
    ]
    out += [
        LabelledText(r["term"], r["commodity_code"], HMRC_SEARCH, "GB")
        for r in _csv_dicts(fpo / "search_references.csv")
    ]
    out += [
        LabelledText(r["GDSDESC"], r["CMDTYCODE"], FPO_BRAND, "GB")
        for r in _csv_dicts(fpo / "brands.csv")
    ]
    # Only the goods description: the justification names the code (label leak).
    out += [
        LabelledText(" ".join(r["description"].split())[:600], r["commodity_code"], GB_RULING, "GB")
        for r in _csv_dicts(shared / "uk-atar-rulings" / "rulings.csv")
    ]
    out += [
        LabelledText(r["brief_description"], r["hts8"], US_HTS, "US")
        for r in _csv_dicts(shared / "us-hts-tariff" / "us_tariff_database_2025_hts8.csv")
        if not r["hts8"].startswith("98") and not r["hts8"].startswith("99")
    ]
    return [t for t in out if t.text.strip() and t.code.strip().isdigit()]


def build(shared: Path, out: Path = DATA_DIR) -> dict[str, int]:
    """Write the shipped training files from ``shared``; returns row counts."""
    out.mkdir(parents=True, exist_ok=True)
    fpo = shared / "uk-fpo-goods-descriptions"
    texts = shared_labelled_texts(shared)
    _write_gz(
        out / "labelled.csv.gz",
        ["text", "code", "source", "tariff"],
        [[t.text, t.code.strip(), t.source, t.tariff] for t in texts],
    )
    with (fpo / "vague_terms.csv").open(encoding="utf-8-sig", newline="") as f:
        vague = [row[0] for row in csv.reader(f) if row]
    with (
        (out / "vague_terms.txt.gz").open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz,
    ):
        gz.write(("\n".join(v.replace("\n", " ") for v in vague) + "\n").encode("utf-8"))
    for src, dest in (
        ("vague_terms_patterns.txt", "vague_patterns.txt"),
        ("phrases_to_remove.txt", "phrases_to_remove.txt"),
    ):
        (out / dest).write_text((fpo / src).read_text(encoding="utf-8-sig"), encoding="utf-8")
    intercept = _csv_dicts(fpo / "intercept_terms.csv")
    _write_gz(
        out / "intercept_terms.csv.gz",
        ["term", "related_words", "template", "notes"],
        [[r["term"], r["related_words"], r["template"], r["notes"]] for r in intercept],
    )
    return {"labelled": len(texts), "vague_terms": len(vague), "intercept_terms": len(intercept)}


def _calibration_path(data_dir: Path, embeddings: bool) -> Path:
    # Blended shares are flatter than n-gram shares: they have their own table.
    return data_dir / ("calibration-embeddings.json" if embeddings else "calibration.json")


def calibration_table(
    data_dir: Path = DATA_DIR, *, embeddings: bool = False
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The shipped (shares, probabilities) calibration knots; identity when absent.

    ``embeddings``: the table for a model that blends in sentence embeddings (the n-gram
    table when that one is absent).
    """
    path = _calibration_path(data_dir, embeddings)
    if not path.exists():
        path = _calibration_path(data_dir, False)
    if not path.exists():
        return (0.0, 1.0), (0.0, 1.0)
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple(raw["shares"]), tuple(raw["probabilities"])


def write_calibration(
    shares: tuple[float, ...],
    probabilities: tuple[float, ...],
    data_dir: Path = DATA_DIR,
    *,
    embeddings: bool = False,
) -> Path:
    path = _calibration_path(data_dir, embeddings)
    about = (
        "isotonic map: score share -> P(right at 6 digits), 5-fold grouped CV on parcel texts "
        "(customhouse classify cross-validate --write-calibration"
        + (" --embeddings" if embeddings else "")
        + ")"
    )
    payload = {"about": about, "shares": shares, "probabilities": probabilities}
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return path


def synonyms(data_dir: Path = DATA_DIR) -> list[tuple[str, str]]:
    """Everyday terms for nomenclature search: our short list plus HMRC's curated search terms."""
    ours = [(t, c) for t, c in _rows("synonyms.csv", data_dir)]
    hmrc = [(t.text, t.code) for t in labelled_texts(data_dir) if t.source == HMRC_SEARCH]
    return ours + hmrc
