"""Party screening: a blocking index over every loaded list, then explained scoring.

One name is never compared with every entry. Each listed name is filed under blocking keys (its
real name parts, their sound, and a four-letter stem of long parts); a screened name gathers the
entries that share its rarer keys, weighted by rarity (idf), keeps the best few, and only those get
the full, explained comparison of :func:`customhouse.screening.matching.compare_names`.

The name score is then qualified by what else is known, in log-odds with stated weights: a date of
birth in a different year, a different country, or the same identifier number.

>>> from customhouse.screening.models import ListKind, SanctionsList, ListedEntity, Party
>>> e = ListedEntity("UN", "QDi.1", "Usama bin Laden", dates_of_birth=("1957",))
>>> index = ScreeningIndex([SanctionsList("UN", ListKind.UN, "v1", (e,))])
>>> hit = screen_party(index, Party("Osama Bin Ladin", date_of_birth="1957-03-10")).best
>>> hit is not None and hit.entity_id == "QDi.1" and hit.score > 0.9
True
>>> screen_party(index, Party("Osama Bin Ladin", date_of_birth="1980")).best is None
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from customhouse.screening.matching import (
    DEFAULT_MODEL,
    Feature,
    MatchModel,
    explain,
    log_odds,
    name_values,
)
from customhouse.screening.models import (
    EntityType,
    ListDiff,
    ListedEntity,
    Party,
    PartyHit,
    PartyScreening,
    SanctionsList,
)
from customhouse.screening.names import (
    GENERIC_WEIGHT,
    NAME_WEIGHT,
    part_weight,
    phonetic,
    script_of,
    tokens,
)

# Qualifier weights in log-odds, set by judgement and checked on the shown UN positives and
# synthetic negatives (bench/screening_names.py): a different birth year is strong evidence
# against, a shared identifier number is near proof.
DOB_MATCH = 0.5
DOB_MISMATCH = -3.0
COUNTRY_MATCH = 0.3
COUNTRY_MISMATCH = -0.5
IDENTIFIER_MATCH = 4.0
TYPE_MISMATCH = -3.0
THIN_NAME = -2.5
WEAK_ALIAS = -1.0
HAN_READING = -1.0
THIN_QUERY = -4.0

# Blocking: how many entries get the full comparison, and which keys are too common to use.
CANDIDATES = 10
MAX_POSTING = 3000
STEM = 4


def _keys(name: str) -> list[str]:
    parts = tokens(name)
    strong = [t for t in parts if part_weight(t) >= NAME_WEIGHT]
    if not strong:  # names made only of generic words still need a key
        strong = [t for t in parts if part_weight(t) >= GENERIC_WEIGHT] or list(parts)
    keys = []
    for t in strong:
        keys.append("t:" + t)
        ph = phonetic(t)
        if ph:
            keys.append("p:" + ph)
        if len(t) > STEM + 1:
            keys.append("s:" + t[:STEM])
            keys.append("e:" + t[-STEM:])
    return keys


@dataclass(frozen=True, slots=True)
class _Entry:
    entity: ListedEntity
    fingerprint: str


class ScreeningIndex:
    """Every name of every loaded list, filed under blocking keys.

    Built once per set of list versions (seconds for all seven lists); read-only afterwards, so
    one index can serve many screenings.
    """

    def __init__(self, lists: Iterable[SanctionsList]) -> None:
        self.entries: list[_Entry] = []
        self.names: list[str] = []
        self.name_entry: list[int] = []
        # A "form" is a name as its parts: the same name on seven lists is compared once.
        self.form_text: list[str] = []
        self.form_tokens: list[tuple[str, ...]] = []
        self.form_names: list[list[int]] = []
        forms: dict[tuple[str, ...], int] = {}
        postings: dict[str, list[int]] = {}
        for sanctions_list in lists:
            for entity in sanctions_list.entities:
                entry_no = len(self.entries)
                self.entries.append(_Entry(entity, entity.fingerprint()))
                for name in dict.fromkeys(entity.names):
                    name_no = len(self.names)
                    self.names.append(name)
                    self.name_entry.append(entry_no)
                    form = tokens(name)
                    form_no = forms.get(form)
                    if form_no is None:
                        form_no = forms[form] = len(self.form_text)
                        self.form_text.append(name)
                        self.form_tokens.append(form)
                        self.form_names.append([])
                        for key in set(_keys(name)):
                            postings.setdefault(key, []).append(form_no)
                    self.form_names[form_no].append(name_no)
        n = max(1, len(self.form_text))
        self._postings = {k: np.asarray(v, dtype=np.int32) for k, v in postings.items()}
        self._idf = {k: math.log(1 + n / len(v)) for k, v in postings.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, name: str, limit: int = CANDIDATES) -> list[int]:
        """Numbers of the name forms sharing the most (rarity-weighted) keys with ``name``."""
        keys = [k for k in dict.fromkeys(_keys(name)) if k in self._postings]
        if not keys:
            return []
        usable = [k for k in keys if len(self._postings[k]) <= MAX_POSTING]
        if not usable:  # only very common keys: use the rarest of them
            usable = [min(keys, key=lambda k: len(self._postings[k]))]
        arrays = [self._postings[k] for k in usable]
        ids: npt.NDArray[np.int32] = np.concatenate(arrays)
        weights = np.repeat([self._idf[k] for k in usable], [len(a) for a in arrays])
        # Each form's weights summed over a stable sort: a few hundred ids per name, where
        # ``np.unique(return_inverse=True)`` cost more in its own overhead than in sorting.
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        first = np.empty(len(ids), dtype=bool)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        uniq = ids[starts]
        scores = np.add.reduceat(weights[order], starts)
        if len(uniq) > limit:
            top = np.argpartition(-scores, limit)[:limit]
            top = top[np.argsort(-scores[top])]
        else:
            top = np.argsort(-scores)
        return [int(uniq[i]) for i in top]


def _dob_feature(party_dob: str, entity: ListedEntity) -> Feature | None:
    if not party_dob or not entity.dates_of_birth:
        return None
    for dob in entity.dates_of_birth:
        # Compare at the precision both sides have: a year-only listing matches any date in it.
        k = min(len(dob), len(party_dob))
        if dob[:k] == party_dob[:k]:
            return Feature("dob_match", DOB_MATCH, 1.0, f"date of birth {dob} agrees")
    # A year-only date is often approximate: a year either side proves nothing either way.
    # Two full dates that differ do.
    year = party_dob[:4]
    if year.isdigit() and any(
        d[:4].isdigit() and abs(int(d[:4]) - int(year)) <= 1 and min(len(d), len(party_dob)) == 4
        for d in entity.dates_of_birth
    ):
        return None
    listed = ", ".join(entity.dates_of_birth[:3])
    return Feature("dob_mismatch", DOB_MISMATCH, 1.0, f"born {party_dob}, listed {listed}")


def _country_feature(country: str, entity: ListedEntity) -> Feature | None:
    if not country or not entity.countries:
        return None
    if country.upper() in entity.countries:
        return Feature("country_match", COUNTRY_MATCH, 1.0, f"{country.upper()} is linked")
    linked = ", ".join(entity.countries[:5])
    return Feature("country_mismatch", COUNTRY_MISMATCH, 1.0, f"{country.upper()} not in {linked}")


def _identifier_feature(party: Party, entity: ListedEntity) -> Feature | None:
    mine = {i.number.replace(" ", "").upper() for i in party.identifiers if i.number}
    theirs = {i.number.replace(" ", "").upper() for i in entity.identifiers if i.number}
    shared = mine & theirs
    if shared:
        number = sorted(shared)[0]
        return Feature("identifier_match", IDENTIFIER_MATCH, 1.0, f"same number {number}")
    return None


def _type_feature(party: Party, entity: ListedEntity) -> Feature | None:
    # A date of birth says the party is a person even when the caller did not.
    person = party.entity_type is EntityType.PERSON or (
        party.entity_type is EntityType.UNKNOWN and bool(party.date_of_birth)
    )
    kind = party.entity_type
    listed = entity.entity_type
    if listed is EntityType.UNKNOWN or (not person and kind is EntityType.UNKNOWN):
        return None
    if person and listed is not EntityType.PERSON:
        return Feature("type_mismatch", TYPE_MISMATCH, 1.0, f"a person, listed as {listed}")
    if not person and kind is not listed and listed is EntityType.PERSON:
        return Feature("type_mismatch", TYPE_MISMATCH, 1.0, f"a {kind}, listed as a person")
    return None


def _real_parts(name: str) -> list[str]:
    return [t for t in tokens(name) if part_weight(t) >= NAME_WEIGHT]


def _thin(parts: list[str]) -> bool:
    # A screened name with no real name part of three letters or more ("TW Export Trading 88",
    # "NO Export Trading 714": initials, generic words, numbers) matches on what every trading
    # company shares; only a near-literal match should survive.
    return not any(len(t) >= 3 for t in parts)


def _most_lift(party: Party) -> float:
    """The most that :func:`qualify` can add to the log-odds of any match of ``party``: the
    features the party can earn, less the penalties it carries whatever it is compared with."""
    lift = DOB_MATCH if party.date_of_birth else 0.0
    lift += COUNTRY_MATCH if party.country else 0.0
    lift += IDENTIFIER_MATCH if party.identifiers else 0.0
    return lift + (THIN_QUERY if _thin(_real_parts(party.name)) else 0.0)


def _most_name_log_odds(
    model: MatchModel, query: tuple[str, ...], listed: tuple[str, ...], plain: float
) -> float:
    """The most :func:`log_odds` of these two names can be, without comparing them.

    ``plain`` is the bound from every feature but ``literal`` and ``acronym`` (each feature's
    value lies in [0, 1]). ``literal`` needs the same letters; ``acronym`` a one-part side, two
    parts before :func:`name_values` joins a pair. A thin name (no real part) must reach past
    ``plain``, so this skips the full comparison for almost every candidate of one.

    >>> m = DEFAULT_MODEL
    >>> plain = _plain_name_log_odds(m)
    >>> _most_name_log_odds(m, ("n", "l", "export"), ("ace", "export", "co"), plain) == plain
    True
    >>> _most_name_log_odds(m, ("nl", "export"), ("n", "l", "export"), plain) > plain
    True
    """
    most = plain
    if "".join(query) == "".join(listed):
        most += max(0.0, model.weights.get("literal", 0.0))
    if min(len(query), len(listed)) <= 2:
        most += max(0.0, model.weights.get("acronym", 0.0))
    return most


def _plain_name_log_odds(model: MatchModel) -> float:
    return model.intercept + sum(
        w for n, w in model.weights.items() if w > 0 and n not in ("literal", "acronym")
    )


def _name_quality(party: Party, entity: ListedEntity, listed_name: str) -> list[Feature]:
    out = []
    if listed_name in entity.weak_aliases:
        out.append(
            Feature("weak_alias", WEAK_ALIAS, 1.0, "the list marks this alias as low quality")
        )
    # A one-word listed name (a nickname, ``Abdul Manan``) meeting one part of a full name is
    # where most false alerts come from.
    listed = _real_parts(listed_name)
    mine = _real_parts(party.name)
    if len(listed) == 1 and len(mine) >= 2:
        out.append(Feature("thin_name", THIN_NAME, 1.0, "the listed name has one real name part"))
    if _thin(mine):
        out.append(Feature("thin_query", THIN_QUERY, 1.0, "no real name part to match on"))
    # Han characters were read as Mandarin pinyin; a Japanese or Korean name has other readings,
    # so a match made through that one reading is weaker evidence.
    if script_of(party.name) == "CJK" and script_of(listed_name) != "CJK":
        reason = "matched through one (Mandarin) reading of Han characters"
        out.append(Feature("han_reading", HAN_READING, 1.0, reason))
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def qualify(
    score: float, party: Party, entity: ListedEntity, listed_name: str = ""
) -> tuple[float, list[Feature]]:
    """The name score moved by birth date, country, identifiers and type, with the reasons."""
    extra = _name_quality(party, entity, listed_name or entity.name)
    extra += [
        f
        for f in (
            _dob_feature(party.date_of_birth, entity),
            _country_feature(party.country, entity),
            _identifier_feature(party, entity),
            _type_feature(party, entity),
        )
        if f is not None
    ]
    if not extra:
        return score, extra
    z = _logit(score) + sum(f.weight * f.value for f in extra)
    return 1.0 / (1.0 + math.exp(-z)), extra


def screen_party(
    index: ScreeningIndex,
    party: Party,
    threshold: float | None = None,
    model: MatchModel = DEFAULT_MODEL,
    limit: int = CANDIDATES,
) -> PartyScreening:
    """Every listed entity matching ``party`` at or above ``threshold``, best first, explained."""
    cut = model.threshold if threshold is None else threshold
    # Qualifiers can only lift a name score this much: below that, skip the explanation.
    floor = _logit(cut) - _most_lift(party)
    best: dict[int, PartyHit] = {}
    query = tokens(party.name)
    plain = _plain_name_log_odds(model)
    for form_no in index.candidates(party.name, limit):
        listed = index.form_tokens[form_no]
        if plain < floor and _most_name_log_odds(model, query, listed, plain) < floor:
            continue  # cannot reach the cut whatever the comparison finds
        values = name_values(query, listed)
        if log_odds(values, model) < floor:
            continue
        scored = explain(values, model)
        for name_no in index.form_names[form_no]:
            entry_no = index.name_entry[name_no]
            entry = index.entries[entry_no]
            listed_name = index.names[name_no]
            score, extra = qualify(scored.score, party, entry.entity, listed_name)
            if score < cut:
                continue
            previous = best.get(entry_no)
            if previous is None or score > previous.score:
                best[entry_no] = PartyHit(
                    list_name=entry.entity.list_name,
                    entity_id=entry.entity.entity_id,
                    entity_name=entry.entity.name,
                    matched_name=listed_name,
                    score=score,
                    features=(*scored.features, *extra),
                    fingerprint=entry.fingerprint,
                )
    hits = sorted(best.values(), key=lambda h: -h.score)
    return PartyScreening(party=party, threshold=cut, hits=tuple(hits))


def changed_entries(new: SanctionsList, diff: ListDiff) -> SanctionsList:
    """The entries of ``new`` that ``diff`` reports as added or changed."""
    keep = set(diff.added) | set(diff.changed)
    entities = tuple(e for e in new.entities if e.entity_id in keep)
    return SanctionsList(new.name, new.kind, new.version, entities)


def rescreen(
    parties: Iterable[Party],
    new: SanctionsList,
    diff: ListDiff,
    threshold: float | None = None,
) -> list[PartyScreening]:
    """Parties already seen, screened against only what a list reload added or changed.

    The index over the changes is small, so re-screening recent declarations' parties after each
    reload is cheap; only parties with a hit are returned.
    """
    index = ScreeningIndex([changed_entries(new, diff)])
    results = (screen_party(index, party, threshold) for party in parties)
    return [r for r in results if r.hits]
