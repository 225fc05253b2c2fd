"""Normalising goods descriptions as typed on declarations and parcels.

>>> normalise("100 Ariel Pods")
'ariel pods'
>>> normalise("2pk boys' regular leg school T")
'boys regular leg school t'
>>> normalise("Men&amp;s cotton T-Shirt 300ml - 12x")
'men s cotton t shirt'
>>> normalise("   ")
''
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
_CODE_TOKEN = re.compile(r"\b(?=[a-z]*\d)[a-z0-9]{5,}\b")  # SKUs like "dy049", "h080sku"


def normalise(text: str, remove: Iterable[str] = ()) -> str:
    """Lower-case ASCII words without quantities, SKU-like tokens or boilerplate phrases."""
    t = unidecode(text.replace("&amp;", "&")).lower()
    for phrase in remove:
        t = t.replace(phrase, " ")
    t = _NON_WORD.sub(" ", t)
    t = _CODE_TOKEN.sub(" ", t)
    t = _QUANTITY.sub(" ", t)
    return _SPACES.sub(" ", t).strip()


def words(text: str) -> list[str]:
    """Words of a normalised text, at least two letters long.

    >>> words("men s cotton t shirt 100%")
    ['men', 'cotton', 'shirt']
    """
    return [w for w in text.split() if len(w) >= 2 and not w[0].isdigit()]
