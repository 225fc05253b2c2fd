"""The pages' text comes from gettext catalogues: a new language is a new ``.po`` file."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient

from customhouse.api.app import create_app
from customhouse.services.context import Context
from customhouse.settings import Settings
from customhouse.web import i18n


def test_every_message_of_the_template_is_in_the_english_catalogue() -> None:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    with (i18n.LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = {m.id for m in read_po(f) if m.id}
    assert len(template) > 100
    assert template <= english


def test_a_new_language_is_a_po_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for lang in ("en", "fr"):
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
    catalog = Catalog(locale="fr")
    catalog.add("Estimate the duty", "Estimer les droits")
    catalog.add("Skip to content", "Aller au contenu")
    with (tmp_path / "fr" / "LC_MESSAGES" / "messages.po").open("wb") as f:
        write_po(f, catalog)
    with (tmp_path / "en" / "LC_MESSAGES" / "messages.po").open("wb") as f:
        write_po(f, Catalog(locale="en"))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        ctx = Context.create(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
        with TestClient(create_app(ctx)) as client:
            fr = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
            assert 'lang="fr"' in fr.text
            assert "Estimer les droits" in fr.text and "Aller au contenu" in fr.text
            # Untranslated text falls back to English.
            assert "Find a commodity code" in fr.text
            en = client.get("/", headers={"Accept-Language": "de"})
            assert 'lang="en"' in en.text and "Estimate the duty" in en.text
        ctx.engine.dispose()
    finally:
        i18n.translations.cache_clear()
