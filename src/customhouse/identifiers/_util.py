"""Helpers shared by the identifier modules (kept tiny: they sit on the hot path)."""

from __future__ import annotations

import pycountry

_STRIP = str.maketrans("", "", " -./:")

# ISO 3166-1 alpha-2 codes, computed once; identifiers check countries without a snapshot.
ISO_COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)


def clean(number: str) -> str:
    """Upper-case ``number`` without blanks and the separators people type (- . / :)."""
    return number.translate(_STRIP).upper()


def is_alnum_ascii(value: str) -> bool:
    """True when every character is an ASCII letter or digit (str.isalnum allows 'é')."""
    return value.isascii() and value.isalnum()
