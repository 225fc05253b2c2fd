"""Loaders: every supported list format into :class:`~customhouse.screening.models.ListedEntity`.

Each loader reads a path and returns a :class:`SanctionsList`; the version is what the file says
about itself (UN ``dateGenerated``) or, failing that, a hash of its bytes, so re-loading the same
file is recognised as the same version. A file named ``*.gz`` is read through gzip and hashed
uncompressed, so a gzipped copy is the same version as the plain file.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from rigour.territories import lookup_territory

from customhouse.screening.errors import UnknownListKind, UnreadableList
from customhouse.screening.models import (
    EntityType,
    Identifier,
    ListedEntity,
    ListKind,
    SanctionsList,
)

LIST_NAMES = {
    ListKind.UN: "UN Security Council Consolidated List",
    ListKind.OFAC: "OFAC SDN",
    ListKind.US_CSL: "US Consolidated Screening List",
    ListKind.EU: "EU Financial Sanctions",
    ListKind.UK: "UK Sanctions List",
    ListKind.CA: "Canada Consolidated Autonomous Sanctions",
    ListKind.AU: "Australia Consolidated Sanctions",
}

_MONTH_ABBR = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTHS = {m: i for i, m in enumerate(_MONTH_ABBR.split(), 1)}
_OFAC_DOB = re.compile(r"DOB ((?:circa )?(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4})")
_OFAC_ID = re.compile(
    r"(Passport|National ID No\.|Tax ID No\.|Registration Number|IMO|Cedula No\.|"
    r"SSN|NIT #|RUC #|D-U-N-S Number|Identification Number) ([A-Za-z0-9\-/ ]{3,30}?)"
    r"(?: \(([A-Za-z ]+)\))?[;.]"
)


@lru_cache(maxsize=4096)
def country_code(text: str) -> str:
    """ISO 3166 alpha-2 code (upper case) of a country name or code, or '' when unknown.

    >>> country_code("Iran (Islamic Republic of)"), country_code("Belarus / Bélarus")
    ('IR', 'BY')
    """
    text = text.strip()
    if not text:
        return ""
    for candidate in (text, text.split("/")[0], text.split("(")[0]):
        territory = lookup_territory(candidate.strip())
        if territory is not None and territory.ftm_country:
            return str(territory.ftm_country).upper()
    return ""


def _countries(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        for part in re.split(r",|;", v):
            code = country_code(part)
            if code and code not in out:
                out.append(code)
    return tuple(out)


def _open(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _open_text(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _read_bytes(path: Path) -> bytes:
    try:
        with _open(path) as f:
            return f.read()
    except (OSError, EOFError) as exc:  # EOFError: a truncated gzip stream
        raise UnreadableList(f"cannot read {path}: {exc}") from exc


def _member(folder: Path, name: str) -> Path | None:
    """``folder/name``, else its gzipped copy ``folder/name.gz``, else None."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _csv_files(folder: Path) -> list[Path]:
    # Ordered by the uncompressed name, so a gzipped folder hashes like the plain one.
    found = {f.name.removesuffix(".gz"): f for f in folder.glob("*.csv.gz")}
    found.update({f.name: f for f in folder.glob("*.csv")})
    return [found[name] for name in sorted(found)]


def _file_version(path: Path) -> str:
    digest = hashlib.sha256()
    files = _csv_files(path) if path.is_dir() else [path]
    for f in files:
        digest.update(_read_bytes(f))
    return "sha256:" + digest.hexdigest()[:16]


def _parse_xml(path: Path) -> ET.Element:
    with _open(path) as f:
        return ET.parse(f).getroot()


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


# --- UN -------------------------------------------------------------------------------------


def _un_dob(el: ET.Element) -> list[str]:
    date, year = _text(el.find("DATE")), _text(el.find("YEAR"))
    if date:
        return [date[:10]]
    if year:
        return [year]
    lo, hi = _text(el.find("FROM_YEAR")), _text(el.find("TO_YEAR"))
    if lo.isdigit() and hi.isdigit() and int(hi) - int(lo) <= 10:
        return [str(y) for y in range(int(lo), int(hi) + 1)]
    return []


def load_un(path: Path) -> SanctionsList:
    """The UN Security Council consolidated XML (individuals and entities)."""
    try:
        root = _parse_xml(path)
    except (ET.ParseError, OSError, EOFError) as exc:
        raise UnreadableList(f"not a UN consolidated list XML: {exc}") from exc
    version = root.get("dateGenerated") or _file_version(path)
    entities: list[ListedEntity] = []
    for kind, tag in (("INDIVIDUAL", EntityType.PERSON), ("ENTITY", EntityType.ORGANIZATION)):
        for el in root.iter(kind):
            parts = [_text(el.find(t)) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME")]
            parts.append(_text(el.find("FOURTH_NAME")))
            name = " ".join(p for p in parts if p)
            alias_els = list(el.iter(f"{kind}_ALIAS"))
            # UN marks some aliases "Low" quality: kept, but they count for less.
            low = [_text(a.find("QUALITY")) == "Low" for a in alias_els]
            alias_names = [_text(a.find("ALIAS_NAME")) for a in alias_els]
            aliases = [a for a, is_low in zip(alias_names, low, strict=True) if not is_low]
            weak = [a for a, is_low in zip(alias_names, low, strict=True) if is_low]
            original = _text(el.find("NAME_ORIGINAL_SCRIPT"))
            if original:
                aliases.append(original)
            dobs = [d for b in el.iter("INDIVIDUAL_DATE_OF_BIRTH") for d in _un_dob(b)]
            nats = [_text(v) for v in el.findall("NATIONALITY/VALUE")]
            nats += [_text(a.find("COUNTRY")) for a in el.iter(f"{kind}_ADDRESS")]
            docs = tuple(
                Identifier(
                    _text(d.find("TYPE_OF_DOCUMENT")),
                    _text(d.find("NUMBER")),
                    country_code(_text(d.find("ISSUING_COUNTRY"))),
                )
                for d in el.iter("INDIVIDUAL_DOCUMENT")
                if _text(d.find("NUMBER"))
            )
            entities.append(
                ListedEntity(
                    list_name="UN",
                    entity_id=_text(el.find("REFERENCE_NUMBER")) or _text(el.find("DATAID")),
                    name=name,
                    entity_type=tag,
                    aliases=tuple(dict.fromkeys(a for a in aliases if a and a != name)),
                    countries=_countries(nats),
                    dates_of_birth=tuple(dict.fromkeys(dobs)),
                    identifiers=docs,
                    programmes=(_text(el.find("UN_LIST_TYPE")),),
                    listed_on=_text(el.find("LISTED_ON")),
                    remarks=_text(el.find("COMMENTS1"))[:500],
                    weak_aliases=tuple(dict.fromkeys(a for a in weak if a and a != name)),
                )
            )
    if not entities:
        raise UnreadableList("the UN XML holds no INDIVIDUAL or ENTITY")
    return SanctionsList("UN", ListKind.UN, version, tuple(entities))


# --- OFAC SDN legacy CSV -----------------------------------------------------------------------


def _ofac_rows(path: Path) -> Iterator[list[str]]:
    text = _read_bytes(path).decode("cp1252", errors="replace").replace("\x1a", "")
    for row in csv.reader(io.StringIO(text)):
        if row:
            yield [("" if c.strip() == "-0-" else c.strip()) for c in row]


def _ofac_dob(text: str) -> str:
    words = text.replace("circa ", "").split()
    year = words[-1]
    if len(words) == 3 and words[1].lower()[:3] in _MONTHS:
        return f"{year}-{_MONTHS[words[1].lower()[:3]]:02d}-{int(words[0]):02d}"
    if len(words) == 2 and words[0].lower()[:3] in _MONTHS:
        return f"{year}-{_MONTHS[words[0].lower()[:3]]:02d}"
    return year


def load_ofac(path: Path) -> SanctionsList:
    """The OFAC SDN legacy CSV triple: a folder holding sdn.csv, alt.csv and add.csv (each may
    be gzipped: sdn.csv.gz ...)."""
    sdn = _member(path, "sdn.csv") if path.is_dir() else path
    if sdn is None or not sdn.is_file():
        raise UnreadableList(f"no sdn.csv in {path}")
    folder = sdn.parent
    aliases: dict[str, list[str]] = defaultdict(list)
    alt = _member(folder, "alt.csv")
    if alt is not None:
        for row in _ofac_rows(alt):
            if len(row) >= 4 and row[3]:
                aliases[row[0]].append(row[3])
    addresses: dict[str, list[str]] = defaultdict(list)
    add = _member(folder, "add.csv")
    if add is not None:
        for row in _ofac_rows(add):
            if len(row) >= 5 and row[4]:
                addresses[row[0]].append(row[4])
    types = {"individual": EntityType.PERSON, "vessel": EntityType.VESSEL}
    types["aircraft"] = EntityType.AIRCRAFT
    entities = []
    for row in _ofac_rows(sdn):
        if len(row) < 12 or not row[0].isdigit():
            continue
        ent, remarks = row[0], row[11]
        ids = tuple(
            Identifier(m.group(1), m.group(2).strip(), country_code(m.group(3) or ""))
            for m in _OFAC_ID.finditer(remarks)
        )
        entities.append(
            ListedEntity(
                list_name="OFAC-SDN",
                entity_id=ent,
                name=row[1],
                entity_type=types.get(row[2].lower(), EntityType.ORGANIZATION),
                aliases=tuple(dict.fromkeys(aliases.get(ent, []))),
                countries=_countries(addresses.get(ent, [])),
                dates_of_birth=tuple(dict.fromkeys(map(_ofac_dob, _OFAC_DOB.findall(remarks)))),
                identifiers=ids,
                programmes=tuple(p.strip("[] ") for p in row[3].split("] [") if p.strip("[] ")),
                remarks=remarks[:500],
            )
        )
    if not entities:
        raise UnreadableList(f"{sdn} holds no SDN entry")
    return SanctionsList("OFAC-SDN", ListKind.OFAC, _file_version(folder), tuple(entities))


# --- US Consolidated Screening List (name extract) ------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str]]:
    try:
        with _open_text(path) as f:
            return list(csv.DictReader(f))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableList(f"cannot read {path}: {exc}") from exc


def _need(rows: list[dict[str, str]], columns: set[str], path: Path) -> None:
    if not rows or not columns <= set(rows[0]):
        raise UnreadableList(f"{path} lacks the columns {sorted(columns)}")


def load_us_csl(path: Path) -> SanctionsList:
    """The CSL name extract (source, name, alt_names separated by ``; ``)."""
    rows = _csv_rows(path)
    _need(rows, {"source", "name", "alt_names"}, path)
    entities = []
    for i, row in enumerate(rows, 1):
        source = row["source"].split(" - ")[0]
        entities.append(
            ListedEntity(
                list_name="US-CSL",
                entity_id=f"{i}",
                name=row["name"].strip(),
                aliases=tuple(a.strip() for a in row["alt_names"].split(";") if a.strip()),
                programmes=(source,),
            )
        )
    return SanctionsList("US-CSL", ListKind.US_CSL, _file_version(path), tuple(entities))


# --- EU / UK / AU parsed CSV -------------------------------------------------------------------


def _load_parsed(path: Path, kind: ListKind, list_name: str) -> SanctionsList:
    rows = _csv_rows(path)
    _need(rows, {"Name", "Alias", "Nationality"}, path)
    entities = []
    seen: dict[str, int] = {}
    for row in rows:
        name = row["Name"].strip()
        if not name:
            continue
        alias_text = row.get("Alias") or ""
        aliases = [a.strip() for a in alias_text.split(",")] if alias_text != "None" else []
        designation = (row.get("Designation") or "").strip().lower()
        etype = {"person": EntityType.PERSON, "enterprise": EntityType.ORGANIZATION}.get(
            designation, EntityType.UNKNOWN
        )
        # Parsed files have no ids: a stable id from the primary name, numbered on repeats.
        key = hashlib.sha1(name.encode()).hexdigest()[:12]
        seen[key] = seen.get(key, 0) + 1
        entities.append(
            ListedEntity(
                list_name=list_name,
                entity_id=key if seen[key] == 1 else f"{key}-{seen[key]}",
                name=name,
                entity_type=etype,
                aliases=tuple(dict.fromkeys(a for a in aliases if a and a != name)),
                countries=_countries([row.get("Nationality") or ""]),
                programmes=((row.get("Sanction Type") or "").strip(),),
            )
        )
    return SanctionsList(list_name, kind, _file_version(path), tuple(entities))


def load_eu(path: Path) -> SanctionsList:
    return _load_parsed(path, ListKind.EU, "EU")


def load_uk(path: Path) -> SanctionsList:
    return _load_parsed(path, ListKind.UK, "UK")


def load_au(path: Path) -> SanctionsList:
    return _load_parsed(path, ListKind.AU, "AU")


# --- Canada ------------------------------------------------------------------------------------


def load_ca(path: Path) -> SanctionsList:
    """Global Affairs Canada's Consolidated Canadian Autonomous Sanctions List XML."""
    try:
        root = _parse_xml(path)
    except (ET.ParseError, OSError, EOFError) as exc:
        raise UnreadableList(f"not a Canadian sanctions XML: {exc}") from exc
    entities = []
    for rec in root.iter("record"):
        given, last = _text(rec.find("GivenName")), _text(rec.find("LastName"))
        entity = _text(rec.find("EntityOrShip"))
        ship = _text(rec.find("TitleOrShip"))
        name = " ".join(p for p in (given, last) if p) or entity or ship
        if not name:
            continue
        imo = _text(rec.find("ShipIMONumber"))
        if given or last:
            etype = EntityType.PERSON
        elif imo or ship:
            etype = EntityType.VESSEL
        else:
            etype = EntityType.ORGANIZATION
        regime = _text(rec.find("Country"))
        schedule, item = _text(rec.find("Schedule")), _text(rec.find("Item"))
        dob = _text(rec.find("DateOfBirthOrShipBuildDate"))
        entities.append(
            ListedEntity(
                list_name="CA",
                entity_id=f"{regime.split('/')[0].strip()}|{schedule}|{item}",
                name=name,
                entity_type=etype,
                aliases=tuple(_text(a) for a in rec.findall("Aliases") if _text(a)),
                countries=_countries([regime.split("/")[0]]),
                dates_of_birth=(dob[:10],) if dob and etype is EntityType.PERSON else (),
                identifiers=(Identifier("IMO", imo),) if imo else (),
                programmes=(regime,),
                listed_on=_text(rec.find("DateOfListing")),
            )
        )
    if not entities:
        raise UnreadableList("the Canadian XML holds no record")
    return SanctionsList("CA", ListKind.CA, _file_version(path), tuple(entities))


LOADERS: dict[ListKind, Callable[[Path], SanctionsList]] = {
    ListKind.UN: load_un,
    ListKind.OFAC: load_ofac,
    ListKind.US_CSL: load_us_csl,
    ListKind.EU: load_eu,
    ListKind.UK: load_uk,
    ListKind.CA: load_ca,
    ListKind.AU: load_au,
}


def load_list(kind: str | ListKind, path: Path) -> SanctionsList:
    """Load ``path`` with the loader of ``kind`` (un, ofac, us-csl, eu, uk, ca, au)."""
    try:
        list_kind = ListKind(kind)
    except ValueError as exc:
        raise UnknownListKind(f"unknown list kind {kind!r}", {"kind": str(kind)}) from exc
    if not path.exists():
        raise UnreadableList(f"{path} does not exist")
    return LOADERS[list_kind](path)
