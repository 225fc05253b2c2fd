"""List loaders on small hand-made files, and on the shared lists where present."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from customhouse.screening.engine import ScreeningIndex, screen_party
from customhouse.screening.errors import UnknownListKind, UnreadableList
from customhouse.screening.loaders import country_code, load_list
from customhouse.screening.models import EntityType, ListKind, Party
from customhouse.services.screening import SHIPPED_LISTS, SHIPPED_LISTS_DIR

UN_XML = """<?xml version='1.0' encoding='UTF-8'?>
<CONSOLIDATED_LIST dateGenerated='2025-01-01T00:00:00Z'><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><FIRST_NAME>ABDUL</FIRST_NAME><SECOND_NAME>KARIM</SECOND_NAME>
<UN_LIST_TYPE>Taliban</UN_LIST_TYPE><REFERENCE_NUMBER>TAi.999</REFERENCE_NUMBER>
<LISTED_ON>2001-01-01</LISTED_ON><NATIONALITY><VALUE>Afghanistan</VALUE></NATIONALITY>
<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Abdul Kareem</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Haji Sahib</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR>
<TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>OA 1234</NUMBER>
</INDIVIDUAL_DOCUMENT></INDIVIDUAL></INDIVIDUALS><ENTITIES><ENTITY><DATAID>2</DATAID>
<FIRST_NAME>EXAMPLE TRADING COMPANY</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
<REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>"""


def test_un_xml(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(UN_XML, encoding="utf-8")
    un = load_list("un", path)
    assert un.version == "2025-01-01T00:00:00Z"
    person, entity = un.entities
    assert person.entity_id == "TAi.999" and person.name == "ABDUL KARIM"
    assert person.aliases == ("Abdul Kareem",) and person.weak_aliases == ("Haji Sahib",)
    assert person.dates_of_birth == ("1960", "1961", "1962")
    assert person.countries == ("AF",) and person.identifiers[0].number == "OA 1234"
    assert entity.entity_type is EntityType.ORGANIZATION and entity.programmes == ("DPRK",)


def test_ofac_folder(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(
        b'10,"DOE, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        b'"DOB 03 May 1938; Passport A123456 (Egypt); alt. DOB 1939."\r\n'
        b'11,"ACME SHIPPING","-0- ","IRAN] [SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
    )
    (tmp_path / "alt.csv").write_bytes(b'10,1,"aka","DOE, Johnny",-0- \r\n')
    (tmp_path / "add.csv").write_bytes(b'11,1,-0- ,"Tehran","Iran",-0- \r\n')
    ofac = load_list(ListKind.OFAC, tmp_path)
    john, acme = ofac.entities
    assert john.dates_of_birth == ("1938-05-03", "1939")
    assert john.aliases == ("DOE, Johnny",) and john.identifiers[0].country == "EG"
    assert acme.programmes == ("IRAN", "SDGT") and acme.countries == ("IR",)
    assert acme.entity_type is EntityType.ORGANIZATION


def test_parsed_csv_and_csl(tmp_path: Path) -> None:
    eu = tmp_path / "eu.csv"
    eu.write_text(
        "Name,Alias,Nationality,Designation,Sanction Type,Source\n"
        'Ivan Petrov,"Ivan Petroff, I. Petrov",RUSSIA,person,regulation,Europe\n'
        "Ivan Petrov,None,,person,regulation,Europe\n",
        encoding="utf-8",
    )
    first, second = load_list("eu", eu).entities
    assert first.aliases == ("Ivan Petroff", "I. Petrov") and first.countries == ("RU",)
    assert first.entity_id != second.entity_id
    csl = tmp_path / "csl.csv"
    csl.write_text('source,name,alt_names\n"Entity List (EL) - BIS","X Corp","XC; X Co"\n')
    assert load_list("us-csl", csl).entities[0].aliases == ("XC", "X Co")


def test_bad_inputs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnknownListKind):
        load_list("xx", tmp_path)
    bad = tmp_path / "bad.xml"
    bad.write_text("<not-closed>")
    with pytest.raises(UnreadableList):
        load_list("un", bad)
    with pytest.raises(UnreadableList):
        load_list("eu", tmp_path / "missing.csv")
    assert country_code("Narnia") == ""


@pytest.mark.data
def test_shared_lists_load(shared_data: Path) -> None:
    un = load_list("un", shared_data / "sanctions-un/consolidated.xml")
    assert len(un.entities) == 877
    ca = load_list("ca", shared_data / "sanctions-other/canada_consolidated_autonomous.xml")
    assert len(ca.entities) == 4759
    ofac = load_list("ofac", shared_data / "sanctions-ofac/2021-04_consistent")
    assert len(ofac.entities) > 8000 and any(e.aliases for e in ofac.entities)


def test_gzipped_files_read_as_the_plain_ones(tmp_path: Path) -> None:
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    plain.mkdir()
    packed.mkdir()
    files = {
        "un.xml": UN_XML.encode(),
        "csl.csv": b'source,name,alt_names\n"Entity List (EL) - BIS","X Corp","XC; X Co"\n',
        "sdn.csv": b'10,"DOE, John","individual","SDGT"' + b",-0- " * 8 + b"\r\n",
        "alt.csv": b'10,1,"aka","DOE, Johnny",-0- \r\n',
        "add.csv": b'10,1,-0- ,"Tehran","Iran",-0- \r\n',
    }
    for name, data in files.items():
        (plain / name).write_bytes(data)
        (packed / f"{name}.gz").write_bytes(gzip.compress(data))
    for kind, name in (("un", "un.xml"), ("us-csl", "csl.csv")):
        assert load_list(kind, packed / f"{name}.gz") == load_list(kind, plain / name)
    # The version hashes the uncompressed bytes: a gzipped copy is the same version.
    ofac = load_list("ofac", packed)
    assert ofac == load_list("ofac", plain) and ofac.version.startswith("sha256:")
    assert ofac.entities[0].aliases == ("DOE, Johnny",) and ofac.entities[0].countries == ("IR",)
    (packed / "un.xml.gz").write_bytes(gzip.compress(files["un.xml"])[:-12])
    with pytest.raises(UnreadableList):
        load_list("un", packed / "un.xml.gz")


def test_shipped_lists_parse() -> None:
    for name, kind, relative in SHIPPED_LISTS:
        loaded = load_list(kind, SHIPPED_LISTS_DIR / relative)
        # The name must be the loader's: load-shipped skips the lists stored under it.
        assert (loaded.name, loaded.kind) == (name, kind)
        if kind is ListKind.OFAC:
            irgc = next(e for e in loaded.entities if e.entity_id == "10391")
            assert irgc.name == "ISLAMIC REVOLUTIONARY GUARD CORPS"
            # Aliases and countries come from alt.csv.gz and add.csv.gz.
            assert "IRGC" in irgc.aliases and irgc.countries == ("IR", "SY")
            found = screen_party(ScreeningIndex([loaded]), Party("Islamic Revolutionary Guards"))
            assert found.best is not None and found.best.entity_id == "10391"
        elif kind is ListKind.UN:
            assert loaded.version == "2025-04-19T23:00:04.625Z"
        else:
            assert len(loaded.entities) == 25844


def test_every_shipped_file_is_named_in_the_notice_by_its_hash() -> None:
    # The NOTICE vouches for byte-identical copies: a refreshed file must refresh its entry.
    notice = (SHIPPED_LISTS_DIR.parent / "NOTICE.md").read_text(encoding="utf-8")
    shipped = sorted(SHIPPED_LISTS_DIR.rglob("*.gz"))
    assert len(shipped) == 5
    for path in shipped:
        digest = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
        assert digest in notice, path
