"""The CITES species index: scientific and common names found in goods descriptions.

Built from the Species+ "Index of CITES Species" CSV (not shipped: its licence is non-commercial;
the service loads its own copy). Each taxon is filed under its scientific name, its accepted
synonyms' binomials and its English common names; a description is scanned for those phrases.
A hit counts only on goods of a chapter where that kind of taxon can be traded, so "python" in a
description of software (chapter 85) is not a snake.

>>> idx = CitesIndex([CitesTaxon("Swietenia macrophylla", "II", "Plantae", "",
...                              ("Big-leaf Mahogany",))])
>>> [t.name for t in idx.find("Sawn timber of big leaf mahogany, 4400 kg", "4407")]
['Swietenia macrophylla']
>>> idx.find("Big-leaf Mahogany ringtone", "8523")
[]
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from customhouse.screening.errors import UnreadableList
from customhouse.screening.names import plain_words

# Chapters where specimens, parts or derivatives of animals or plants are classified.
ANIMAL_CHAPTERS = frozenset(
    [
        "01",
        "02",
        "03",
        "04",
        "05",
        "15",
        "16",
        "30",
        "41",
        "42",
        "43",
        "46",
        "51",
        "56",
        "57",
        "58",
        "61",
        "62",
        "64",
        "65",
        "66",
        "67",
        "71",
        "90",
        "92",
        "95",
        "96",
        "97",
    ]
)
PLANT_CHAPTERS = frozenset(
    [
        "06",
        "07",
        "08",
        "09",
        "11",
        "12",
        "13",
        "14",
        "15",
        "20",
        "21",
        "30",
        "33",
        "34",
        "38",
        "44",
        "45",
        "46",
        "47",
        "48",
        "92",
        "94",
        "95",
        "96",
        "97",
    ]
)
MAX_PHRASE = 5
TRADE_TERMS = {
    "ivory": ("loxodonta", "elephas"),
    "python": ("python", "morelia", "malayopython", "simalia"),
    "crocodile": ("crocodylus",),
    "alligator": ("alligator",),
    "caiman": ("caiman", "melanosuchus", "paleosuchus"),
    "rosewood": ("dalbergia", "pterocarpus"),
    "mahogany": ("swietenia",),
    "agarwood": ("aquilaria", "gyrinops"),
    "shahtoosh": ("pantholops",),
    "caviar": ("acipenser", "huso"),
    "tortoiseshell": ("eretmochelys",),
}
MIN_SINGLE_WORD = 6  # one-word common names shorter than this are too often ordinary words


@dataclass(frozen=True, slots=True)
class CitesTaxon:
    name: str
    appendix: str
    kingdom: str
    taxon_class: str = ""
    common_names: tuple[str, ...] = ()

    @property
    def chapters(self) -> frozenset[str]:
        return PLANT_CHAPTERS if self.kingdom == "Plantae" else ANIMAL_CHAPTERS


class CitesIndex:
    """Phrase look-up of listed taxa (appendices I, II, III) by the words of a description."""

    def __init__(self, taxa: Iterable[CitesTaxon]) -> None:
        self.taxa = [t for t in taxa if t.appendix and t.appendix != "NC"]
        self._phrases: dict[tuple[str, ...], list[int]] = {}
        by_genus: dict[str, list[int]] = {}
        for no, taxon in enumerate(self.taxa):
            by_genus.setdefault(taxon.name.split()[0].lower(), []).append(no)
            for phrase in (taxon.name, *taxon.common_names):
                words = plain_words(phrase)
                if not words or len(words) > MAX_PHRASE:
                    continue
                if len(words) == 1 and (len(words[0]) < MIN_SINGLE_WORD or phrase == taxon.name):
                    continue  # a bare genus or short word alone is not evidence
                self._phrases.setdefault(words, []).append(no)

        # Trade words that stand for a whole listed group (ivory, python skin, crocodile leather).
        for word, genera in TRADE_TERMS.items():
            nos = [no for g in genera for no in by_genus.get(g, ())]
            if nos:
                self._phrases.setdefault((word,), []).extend(nos)

    def __len__(self) -> int:
        return len(self.taxa)

    def find(self, description: str, code: str) -> list[CitesTaxon]:
        """Listed taxa named in ``description`` and tradeable under commodity ``code``."""
        words = plain_words(description)
        found: dict[int, None] = {}
        for start in range(len(words)):
            for size in range(1, MAX_PHRASE + 1):
                phrase = tuple(words[start : start + size])
                if len(phrase) < size:
                    break
                for no in self._phrases.get(phrase, ()):
                    found[no] = None
        chapter = code[:2]
        return [self.taxa[no] for no in found if chapter in self.taxa[no].chapters]


def load_cites(path: Path) -> CitesIndex:
    """The Species+ CSV export (columns FullName, RankName, CurrentListing, EnglishNames ...)."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableList(f"cannot read the CITES index {path}: {exc}") from exc
    if not rows or "FullName" not in rows[0]:
        raise UnreadableList(f"{path} is not a Species+ CITES export")
    taxa = []
    for row in rows:
        if row["RankName"] not in ("SPECIES", "SUBSPECIES", "VARIETY"):
            continue
        commons = tuple(n.strip() for n in (row.get("EnglishNames") or "").split(",") if n.strip())
        taxa.append(
            CitesTaxon(
                name=row["FullName"],
                appendix=row["CurrentListing"],
                kingdom=row["Kingdom"],
                taxon_class=row.get("Class") or "",
                common_names=commons,
            )
        )
    return CitesIndex(taxa)
