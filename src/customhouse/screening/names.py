"""Name preparation: transliteration, normalisation, tokens and how much each token weighs.

Every script is transliterated to ASCII, case-folded, stripped of punctuation, and legal forms are
rewritten to one short form (``joint stock company`` -> ``jsc``), so that names written differently
by different lists compare as the same text.

>>> tokens("Акционерное общество «Муромский завод»")
('ao', 'muromskij', 'zavod')
>>> tokens("AL-ZAWAHIRI, Dr. Ayman")
('ayman', 'al', 'zawahiri')
>>> part_weight("trading"), part_weight("al"), part_weight("zawahiri")
(0.3, 0.2, 1.0)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from normality import ascii_text
from rigour.names import remove_person_prefixes, replace_org_types_compare
from rigour.text.phonetics import metaphone
from unidecode import unidecode

_VOWELS = frozenset("aeiouy")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NON_WORD = re.compile(r"[^a-z0-9]+")

# Particles and connectors: present in many names, so agreeing on them proves little.
PARTICLES = _words(
    "al el ul ur ad ed as ash an bin ibn ben bint binti abu abou abd abdul abdel abdal "
    "de da di du del della des la le van von der den ter ten y e of and the mc mac st "
    "haji hajji mullah mawlawi maulavi sheikh shaikh shaykh sayed sayyid said mr mrs ms dr"
)
# Legal forms and generic business words (after rigour's compare form): weak evidence.
GENERIC = _words(
    "llc ltd jsc pjsc ojsc cjsc zao ooo oao ao plc inc corp co sa sas sarl srl spa ag gmbh bv nv "
    "lp llp kg ab as oy pte pty bhd limited company corporation incorporated group holding "
    "holdings trading trade international intl industries industry enterprise enterprises "
    "services service general global import export impex commercial investment investments "
    "partners management solutions technology technologies fze fzco fzc est establishment "
    "organisation organization foundation association center centre"
)

HONORIFICS = _words("dr mr mrs ms miss prof sir mme mlle herr frau")

PARTICLE_WEIGHT = 0.2
GENERIC_WEIGHT = 0.3
NUMBER_WEIGHT = 0.5
NAME_WEIGHT = 1.0


@lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """ASCII, lower case, words separated by one space, legal forms in their short form.

    >>> normalize("  Lloyds Banking Group Public Limited Company ")
    'lloyds banking group plc'
    >>> normalize("Vučić")
    'vucic'
    """
    # Legal forms first: rigour knows them in their own scripts (Cyrillic, Chinese ...).
    text = replace_org_types_compare(text.lower())
    ascii = ascii_text(text) or ""
    if not ascii.strip() and text.strip():
        ascii = unidecode(text)  # ICU has no rule for some scripts (Khmer)
    ascii = ascii.lower().replace("'", "").replace("`", "")
    flat = _NON_WORD.sub(" ", ascii).strip()
    return remove_person_prefixes(flat).strip() if flat else ""


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """The name's parts in the order written, honorifics dropped wherever they stand.

    ``FAMILY, Given`` is read as ``Given FAMILY`` unless what follows the comma is a legal form.

    >>> tokens("SALEK, Abdulhai"), tokens("Amazon.com, Inc.")
    (('abdulhai', 'salek'), ('amazon', 'com', 'inc'))
    """
    if text.count(",") == 1:
        family, given = text.split(",")
        given_parts = normalize(given).split()
        if given_parts and not any(t in GENERIC for t in given_parts):
            text = f"{given} {family}"
    out: list[str] = []
    for t in normalize(text).split():
        if t in HONORIFICS:
            continue
        if 2 <= len(t) <= 3 and t.isalpha() and not _VOWELS.intersection(t):
            out.extend(t)  # JC, WG: initials run together
        else:
            out.append(t)
    return tuple(out)


@lru_cache(maxsize=100_000)
def part_weight(token: str) -> float:
    """How much a name part counts: rare personal or trade names weigh most."""
    if token in PARTICLES:
        return PARTICLE_WEIGHT
    if token in GENERIC:
        return GENERIC_WEIGHT
    if token.isdigit():
        return NUMBER_WEIGHT
    if len(token) == 1:
        return PARTICLE_WEIGHT  # an initial
    return NAME_WEIGHT


@lru_cache(maxsize=200_000)
def script_of(text: str) -> str:
    """The one script of a name's letters ('' when it has Latin letters or mixes scripts).

    >>> script_of("习近平"), script_of("이재명"), script_of("Xi Jinping")
    ('CJK', 'HANGUL', '')
    """
    scripts = set()
    for ch in text:
        if ch.isalpha():
            if ch.isascii():
                return ""
            try:
                scripts.add(unicodedata.name(ch).split()[0])
            except ValueError:
                return ""
    return scripts.pop() if len(scripts) == 1 else ""


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """Metaphone key of a name part; empty for numbers and one-letter parts.

    >>> phonetic("usama") == phonetic("osama")
    True
    """
    if token.isdigit() or len(token) < 2:
        return ""
    key: str = metaphone(token)
    # Metaphone keeps a leading vowel as written; Osama and Usama differ only there.
    if key and key[0] in "AEIOU":
        key = "A" + key[1:]
    return key


@lru_cache(maxsize=100_000)
def plain_words(text: str) -> tuple[str, ...]:
    """Words of free text (goods descriptions): ASCII, lower case, no name-specific rewriting.

    >>> plain_words("Queen Conch (Strombus gigas), frozen")
    ('queen', 'conch', 'strombus', 'gigas', 'frozen')
    """
    ascii = (ascii_text(text) or "").lower().replace("'", "")
    return tuple(_NON_WORD.sub(" ", ascii).split())
