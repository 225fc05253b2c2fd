"""Message catalogues (gettext, Babel): one ``.po`` file per language under ``locale/``.

Catalogues are compiled in memory when first used, so adding a language is adding a ``.po``
file; no build step.

>>> negotiate("fr-CH, fr;q=0.9, en;q=0.8", ["en"])
'en'
>>> negotiate("", ["en"])
'en'
"""

from __future__ import annotations

import io
from functools import lru_cache
from html import escape
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"


def available() -> list[str]:
    """Languages with a catalogue (``locale/<lang>/LC_MESSAGES/messages.po``)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
    return found or [DEFAULT]


def negotiate(accept_language: str, languages: list[str]) -> str:
    """The best of ``languages`` for an Accept-Language header; the default otherwise."""
    wanted = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag:
            wanted.append((weight, tag.strip()))
    prefs = [tag.replace("-", "_") for _, tag in sorted(wanted, key=lambda x: -x[0])]
    try:
        best = Locale.negotiate(prefs, languages) if prefs else None
    except (UnknownLocaleError, ValueError):
        best = None
    return str(best) if best else (DEFAULT if DEFAULT in languages else languages[0])


@lru_cache(maxsize=16)
def translations(language: str) -> NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def too_large_page(accept_language: str, limit: int) -> str:
    """The page a form sent over the body limit gets (the body is never read, so no session
    and no templates: a plain page in the reader's language)."""
    lang = negotiate(accept_language[:500], available())
    _ = translations(lang).ugettext
    title = escape(_("What was sent is too large"))
    words = escape(_("The limit is %(limit)s bytes. Go back and send a smaller file.")) % {
        "limit": limit
    }
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{words}</p>"
        "</main></body></html>"
    )
