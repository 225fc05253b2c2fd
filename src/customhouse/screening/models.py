"""The screening domain: listed entities, screened parties, hits and their explanations.

Plain frozen dataclasses: they import neither SQLAlchemy nor FastAPI.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from customhouse.screening.matching import Feature
from customhouse.screening.names import tokens


class ListKind(StrEnum):
    """The list formats a service can load."""

    UN = "un"
    OFAC = "ofac"
    US_CSL = "us-csl"
    EU = "eu"
    UK = "uk"
    CA = "ca"
    AU = "au"


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Identifier:
    """A document or registration number as the list gives it."""

    kind: str
    number: str
    country: str = ""


@dataclass(frozen=True, slots=True)
class ListedEntity:
    """One entry of a sanctions or denied-party list, whatever its source format.

    ``dates_of_birth`` hold ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` strings; ``countries`` are
    ISO 3166 alpha-2 codes where the list allowed us to resolve them.
    """

    list_name: str
    entity_id: str
    name: str
    entity_type: EntityType = EntityType.UNKNOWN
    aliases: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    dates_of_birth: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programmes: tuple[str, ...] = ()
    listed_on: str = ""
    remarks: str = ""
    weak_aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.weak_aliases)

    def fingerprint(self) -> str:
        """Hash of the entry's content: changes exactly when the entry changes.

        >>> a = ListedEntity("UN", "1", "A B")
        >>> a.fingerprint() == ListedEntity("UN", "1", "A B").fingerprint()
        True
        """
        payload = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class SanctionsList:
    """One loaded version of a list: its name, version label and entries."""

    name: str
    kind: ListKind
    version: str
    entities: tuple[ListedEntity, ...]


@dataclass(frozen=True, slots=True)
class Party:
    """A party of a declaration as screening needs it (the pipeline adapts its own types)."""

    name: str
    country: str = ""
    date_of_birth: str = ""
    identifiers: tuple[Identifier, ...] = ()
    entity_type: EntityType = EntityType.UNKNOWN
    reference: str = ""


@dataclass(frozen=True, slots=True)
class PartyHit:
    """A listed entity that matched a party, the name that matched, the score and the reasons."""

    list_name: str
    entity_id: str
    entity_name: str
    matched_name: str
    score: float
    features: tuple[Feature, ...]
    fingerprint: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "list": self.list_name,
            "entity": self.entity_id,
            "entity_name": self.entity_name,
            "name": self.matched_name,
            "score": round(self.score, 4),
            "features": [f.as_dict() for f in self.features],
        }


@dataclass(frozen=True, slots=True)
class PartyScreening:
    """The result for one party: every hit at or above the threshold, best first."""

    party: Party
    threshold: float
    hits: tuple[PartyHit, ...] = field(default=())

    @property
    def best(self) -> PartyHit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True, slots=True)
class ListDiff:
    """What changed between two versions of one list, by entity id."""

    list_name: str
    old_version: str
    new_version: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "list": self.list_name,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": list(self.removed),
        }


def diff_lists(old: SanctionsList, new: SanctionsList) -> ListDiff:
    """Entries added, changed (same id, different content) and removed between two versions.

    >>> e = ListedEntity("UN", "1", "A B")
    >>> old = SanctionsList("UN", ListKind.UN, "v1", (e,))
    >>> new = SanctionsList("UN", ListKind.UN, "v2", (ListedEntity("UN", "1", "A C"),))
    >>> diff_lists(old, new).changed
    ('1',)
    """
    before = {e.entity_id: e.fingerprint() for e in old.entities}
    after = {e.entity_id: e.fingerprint() for e in new.entities}
    return ListDiff(
        list_name=new.name,
        old_version=old.version,
        new_version=new.version,
        added=tuple(sorted(set(after) - set(before))),
        changed=tuple(sorted(k for k in set(after) & set(before) if after[k] != before[k])),
        removed=tuple(sorted(set(before) - set(after))),
    )


class Verdict(StrEnum):
    """An analyst's judgement of a hit."""

    TRUE_MATCH = "true_match"
    FALSE_MATCH = "false_match"
    UNSURE = "unsure"


def party_key(party: Party) -> str:
    """A stable key for a screened party: normalised name, birth date, country, identifiers.

    >>> party_key(Party("  Ivan  PETROV ", country="ru", date_of_birth="1970"))
    'ivan petrov|1970|RU|'
    """
    ids = ",".join(sorted(i.number.replace(" ", "").upper() for i in party.identifiers))
    name = " ".join(tokens(party.name))
    return f"{name}|{party.date_of_birth}|{party.country.upper()}|{ids}"
