"""Normalising goods descriptions as typed on declarations and parcels.

>>> normalise("100 Ariel Pods")
'ariel pods'
>>> normalise("2pk boys' regular leg school T")
'boys regular leg school t'
>>> normalise("Men&amp;s cotton T-Shirt 300ml - 12x")
'men s cotton t shirt'
>>> normalise("   ")
''
>>> normalise("2xquiltedplws"), normalise("guinne55 c30028uk ninja")
('quiltedplws', 'guinne55 ninja')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from unidecode import unidecode

# Quantities, pack counts and sizes say nothing about the goods' classification.
_QUANTITY = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:x|pk|pks|pack|packs|pcs|pc|pce|ml|cl|l|ltr|g|gr|kg|mg|cm|mm|m|oz|"
    r"lb|lbs|in|ft|v|w|mah|gb|tb)?\b"
)
_NON_WORD = re.compile(r"[^a-z0-9%]+")
_SPACES = re.compile(r"\s+")
# A pack count glued to the goods, as parcel systems write it: "2xquiltedplws".
_GLUED_COUNT = re.compile(r"\b\d+x(?=[a-z]{3,})")
_DIGIT_TOKEN = re.compile(r"\b(?=[a-z]*\d)[a-z0-9]{5,}\b")
_VOWELS = re.compile(r"(?<=[a-z])[aeiouy]+")


def _drop_sku(m: re.Match[str]) -> str:
    # SKUs like "dy049", "h080sku" have few letters; "guinne55" is still a word with a typo.
    token = m.group()
    return " " if sum(ch.isalpha() for ch in token) <= 4 else token


def normalise(text: str, remove: Iterable[str] = ()) -> str:
    """Lower-case ASCII words without quantities, SKU-like tokens or boilerplate phrases."""
    t = unidecode(text.replace("&amp;", "&")).lower()
    for phrase in remove:
        t = t.replace(phrase, " ")
    t = _NON_WORD.sub(" ", t)
    t = _GLUED_COUNT.sub(" ", t)
    t = _DIGIT_TOKEN.sub(_drop_sku, t)
    t = _QUANTITY.sub(" ", t)
    return _SPACES.sub(" ", t).strip()


def words(text: str) -> list[str]:
    """Words of a normalised text, at least two letters long.

    >>> words("men s cotton t shirt 100%")
    ['men', 'cotton', 'shirt']
    """
    return [w for w in text.split() if len(w) >= 2 and not w[0].isdigit()]


def skeleton(text: str) -> str:
    """Each word without its inner vowels: parcel systems abbreviate that way ("crm" for cream).

    >>> skeleton("smooth cream hair remover")
    'smth crm hr rmvr'
    """
    return _VOWELS.sub("", text)
