"""Party screening over the blocking index, with qualifiers; the judged UN figures."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from customhouse.screening.engine import ScreeningIndex, rescreen, screen_party
from customhouse.screening.loaders import country_code, load_list
from customhouse.screening.models import (
    EntityType,
    Identifier,
    ListedEntity,
    ListKind,
    Party,
    SanctionsList,
    diff_lists,
)

ENTRIES = (
    ListedEntity(
        "UN",
        "TAi.005",
        "MUHAMMAD TAHER ANWARI",
        EntityType.PERSON,
        aliases=("Mohammad Taher Anwari",),
        countries=("AF",),
        dates_of_birth=("1961",),
        identifiers=(Identifier("Passport", "OA 454044"),),
    ),
    ListedEntity(
        "UN",
        "KPe.001",
        "KOREA MINING DEVELOPMENT TRADING CORPORATION",
        EntityType.ORGANIZATION,
        aliases=("KOMID",),
    ),
    ListedEntity("UN", "QDi.1", "ABDUL MANAN", EntityType.PERSON),
)
INDEX = ScreeningIndex([SanctionsList("UN", ListKind.UN, "v1", ENTRIES)])


def test_typo_and_transliteration_hit_with_reasons() -> None:
    result = screen_party(INDEX, Party("Mohamad Tahir Anwary", country="AF", date_of_birth="1961"))
    assert result.best is not None and result.best.entity_id == "TAi.005"
    names = {f.name for f in result.best.features}
    assert {"dob_match", "country_match", "weakest_part"} <= names


def test_birth_year_and_type_qualify_the_name() -> None:
    exact = screen_party(INDEX, Party("Muhammad Taher Anwari")).best
    older = screen_party(INDEX, Party("Muhammad Taher Anwari", date_of_birth="1990")).best
    assert exact is not None and older is not None and older.score < exact.score
    assert screen_party(INDEX, Party("Mohamad Tahir Anwary", date_of_birth="1990")).best is None
    company = screen_party(INDEX, Party("KOMID")).best
    person = screen_party(INDEX, Party("KOMID", date_of_birth="1970-01-01")).best
    assert company is not None and person is not None and person.score < company.score
    assert any(f.name == "type_mismatch" for f in person.features)


def test_identifier_match_lifts_a_weak_name() -> None:
    weak = Party("M. T. Anwari", identifiers=(Identifier("Passport", "OA454044"),))
    hit = screen_party(INDEX, weak, threshold=0.8).best
    assert hit is not None and any(f.name == "identifier_match" for f in hit.features)


def test_one_word_listed_name_does_not_catch_full_names() -> None:
    assert screen_party(INDEX, Party("Manan Adya Ghose")).best is None


def test_candidates_come_from_blocking_not_a_full_scan() -> None:
    assert INDEX.candidates("Completely Unrelated Person") == []
    assert INDEX.candidates("Anwari")


def test_list_diff_reports_added_changed_removed() -> None:
    old = SanctionsList("UN", ListKind.UN, "v1", ENTRIES)
    changed = ListedEntity("UN", "QDi.1", "ABDUL MANAN", EntityType.PERSON, countries=("AF",))
    new = SanctionsList(
        "UN", ListKind.UN, "v2", (ENTRIES[0], changed, ListedEntity("UN", "N", "X"))
    )
    diff = diff_lists(old, new)
    assert (diff.added, diff.changed, diff.removed) == (("N",), ("QDi.1",), ("KPe.001",))


def _parties(path: Path) -> list[Party]:
    with path.open(encoding="utf-8") as f:
        return [
            Party(
                r["full_name"],
                country=country_code(r["nationality"]) if r["nationality"] else "",
                date_of_birth=r["date_of_birth"],
            )
            for r in csv.DictReader(f)
        ]


@pytest.mark.data
def test_un_positives_hit_and_negatives_stay_quiet(shared_data: Path) -> None:
    index = ScreeningIndex([load_list("un", shared_data / "sanctions-un/consolidated.xml")])
    bench = shared_data / "sanctions-name-matching"
    for name in ("positives_un_untreated.csv", "positives_un_treated.csv"):
        parties = _parties(bench / name)
        found = sum(1 for p in parties if screen_party(index, p).hits)
        assert found / len(parties) >= 0.98, name
    negatives = _parties(bench / "negatives_global.csv")[:2000]
    alerts = sum(1 for p in negatives if screen_party(index, p).hits)
    assert alerts <= 2  # at most 1 per 1,000


def test_rescreen_only_looks_at_added_and_changed_entries() -> None:
    old = SanctionsList("UN", ListKind.UN, "v1", ENTRIES)
    newcomer = ListedEntity("UN", "QDi.9", "Ivan Petrov", EntityType.PERSON)
    new = SanctionsList("UN", ListKind.UN, "v2", (*ENTRIES, newcomer))
    parties = [Party("Ivan Petrov"), Party("Muhammad Taher Anwari")]
    results = rescreen(parties, new, diff_lists(old, new))
    assert [r.party.name for r in results] == ["Ivan Petrov"]
    assert results[0].best is not None and results[0].best.entity_id == "QDi.9"


def test_a_year_either_side_is_neither_for_nor_against() -> None:
    near = screen_party(INDEX, Party("Muhammad Taher Anwari", date_of_birth="1962-05-01")).best
    assert near is not None
    assert not {f.name for f in near.features} & {"dob_match", "dob_mismatch"}


def test_weak_one_word_alias_and_han_reading_count_against() -> None:
    listed = ListedEntity(
        "UN", "X.1", "Murad Margoshvili", EntityType.PERSON, weak_aliases=("John",)
    )
    korean = ListedEntity("UN", "X.2", "CHOE CHUN YONG", EntityType.PERSON)
    index = ScreeningIndex([SanctionsList("UN", ListKind.UN, "v1", (listed, korean))])
    assert screen_party(index, Party("John Smith")).best is None
    weak = screen_party(index, Party("John"), threshold=0.0).best
    assert weak is not None and {f.name for f in weak.features} >= {"weak_alias"}
    han = screen_party(index, Party("超 陈"), threshold=0.0).hits
    assert han
    assert all(any(f.name == "han_reading" for f in h.features) for h in han)


def test_the_cheap_bound_skips_no_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping candidates by the most their names could score loses nothing: the same hits,
    scores and reasons as comparing every candidate, on the shipped UN list, for thin names
    (where the bound skips), names listed literally, acronyms and ordinary names; under the
    fitted model and under one where a literal or acronym match of a thin name is a hit."""
    from customhouse.screening import engine
    from customhouse.screening.matching import DEFAULT_MODEL, MatchModel
    from customhouse.services.screening import SHIPPED_LISTS, SHIPPED_LISTS_DIR

    ((_, kind, relative),) = [s for s in SHIPPED_LISTS if s[0] == "UN"]
    un = load_list(kind, SHIPPED_LISTS_DIR / relative)
    index = ScreeningIndex([un])
    thin = [n for e in un.entities for n in e.names if not any(len(t) >= 3 for t in _real(n))]
    assert len(thin) >= 5, "the UN list has names with no real part of three letters"
    parties = [Party(n, country="KP") for n in thin]
    parties += [Party(f"{c} Export Trading {n}", country=c) for c in ("NL", "KP") for n in (7, 88)]
    parties += [Party("KOMID"), Party("AA"), Party("J.T.J."), Party("Abu Ahmad")]
    parties += [Party(e.name, country=(e.countries or ("",))[0]) for e in un.entities[:30]]
    weights = dict(DEFAULT_MODEL.weights) | {"literal": 6.0, "acronym": 7.0}
    eager = MatchModel(weights, DEFAULT_MODEL.intercept, DEFAULT_MODEL.threshold)
    fitted, literal = (
        [screen_party(index, p, model=m) for p in parties] for m in (DEFAULT_MODEL, eager)
    )
    monkeypatch.setattr(engine, "_plain_name_log_odds", lambda model: float("inf"))
    assert fitted == [screen_party(index, p) for p in parties]
    assert literal == [screen_party(index, p, model=eager) for p in parties]
    assert sum(bool(r.hits) for r in fitted) >= 30  # the listed names are found
    # Under the eager model thin names hit literally, and those are the ones a bound must keep.
    assert sum(bool(r.hits) for r in literal[: len(thin)]) >= 5


def _real(name: str) -> list[str]:
    from customhouse.screening.engine import _real_parts

    return _real_parts(name)
