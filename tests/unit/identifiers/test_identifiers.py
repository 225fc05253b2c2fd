"""Identifier modules: round trips, typed errors and check characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customhouse.errors import DomainError
from customhouse.identifiers import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidIdentifier,
    InvalidLength,
    container,
    eori,
    hs_code,
    locode,
    mrn,
    vat,
)

ALNUM = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=13, max_size=13)


def test_errors_are_domain_errors_with_stable_codes() -> None:
    assert issubclass(InvalidIdentifier, DomainError)
    assert InvalidChecksum.code == "identifiers.InvalidChecksum"
    assert InvalidFormat.code == "identifiers.InvalidFormat"
    assert InvalidLength.code == "identifiers.InvalidLength"
    assert InvalidComponent.code == "identifiers.InvalidComponent"


def test_mrn_check_character_matches_a_published_german_mrn() -> None:
    # 06 DE 5866 00006143 E 1: an ATLAS export MRN printed in a broker's guide.
    assert mrn.is_valid("06DE586600006143E1")
    assert not mrn.is_valid("06DE586600006143E2")


@given(
    year=st.integers(2000, 2099), country=st.sampled_from(["DE", "FR", "GB", "XI"]), serial=ALNUM
)
def test_mrn_make_validates_and_round_trips(year: int, country: str, serial: str) -> None:
    number = mrn.make(year, country, serial)
    assert len(number) == 18
    assert mrn.validate(number) == number
    assert mrn.year(number) == year
    assert mrn.country(number) == country
    assert mrn.procedure_identifier(number) == serial[-1]


@given(serial=ALNUM, position=st.integers(4, 16), char=st.sampled_from("0123456789ABCXYZ"))
def test_mrn_single_substitution_changes_the_checksum(
    serial: str, position: int, char: str
) -> None:
    number = mrn.make(2025, "DE", serial)
    changed = number[:position] + char + number[position + 1 :]

    def total(body: str) -> int:
        return sum(mrn._VALUES[c] * 2**i for i, c in enumerate(body)) % 11

    if mrn._VALUES[char] % 11 != mrn._VALUES[number[position]] % 11:
        # Weights 2**i are never 0 mod 11, so any one changed value changes the sum mod 11;
        # only remainders 0 and 10 share the check character '0'.
        assert total(changed[:17]) != total(number[:17])
        if {total(changed[:17]), total(number[:17])} != {0, 10}:
            assert not mrn.is_valid(changed)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("24DE00000000000A1", InvalidLength),
        ("2XDE000000000000A1", InvalidFormat),
        ("24QQ000000000000A1", InvalidComponent),
        ("24DE000000000000A2", InvalidChecksum),
        ("24DE00000000000éA1", InvalidFormat),
    ],
)
def test_mrn_errors(value: str, error: type[InvalidIdentifier]) -> None:
    with pytest.raises(error):
        mrn.validate(value)


def test_mrn_make_refuses_bad_parts() -> None:
    with pytest.raises(InvalidFormat):
        mrn.make(2024, "DE", "SHORT")
    with pytest.raises(InvalidComponent):
        mrn.make(2024, "QQ", "000000000000A")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("DE1234567", True),
        ("FR12345678901234", True),
        ("GB123456789000", True),
        ("GB123456789012345", True),
        ("XI123456789000", True),
        ("GB1234567890", False),
        ("GBA23456789000", False),
        ("DE", False),
        ("DE1234567890123456", False),
        ("QQ123", False),
        ("DE12_4", False),
    ],
)
def test_eori(value: str, ok: bool) -> None:
    assert eori.is_valid(value) is ok


def test_hs_code_normalises_and_splits() -> None:
    assert hs_code.validate(" 8517.13 00 ") == "85171300"
    assert hs_code.subheading("8517.13.00.00") == "851713"
    assert hs_code.format("851713") == "8517.13"
    for bad in ("8517", "851713000", "98171300", "00171300", "85171x"):
        assert not hs_code.is_valid(bad)


@given(st.text(alphabet="0123456789", min_size=6, max_size=10))
def test_hs_code_format_round_trips(code: str) -> None:
    if hs_code.is_valid(code):
        assert hs_code.compact(hs_code.format(code)) == code


def test_locode() -> None:
    assert locode.validate("nl rtm") == "NLRTM"
    assert locode.is_valid("DE9B0")
    assert locode.is_valid("XZABC")
    assert not locode.is_valid("NLRT")
    assert not locode.is_valid("N1RTM")
    assert not locode.is_valid("QQRTM")


def test_container_uses_iso_6346() -> None:
    assert container.is_valid("CSQU3054383")
    assert container.calc_check_digit("MSKU907032") == "3"
    assert container.is_valid("MSKU9070323")
    with pytest.raises(InvalidChecksum):
        container.validate("CSQU3054384")
    with pytest.raises(InvalidLength):
        container.validate("CSQU305438")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("DE136695976", True),
        ("GB980780684", True),
        ("XI980780684", True),
        ("EL094259216", True),
        ("NL004495445B01", True),
        ("DE136695977", False),
        ("GR094259216", True),
        ("US123456789", False),
        ("D", False),
    ],
)
def test_vat(value: str, ok: bool) -> None:
    assert vat.is_valid(value) is ok


@given(st.text(max_size=40))
def test_no_identifier_raises_anything_but_typed_errors(value: str) -> None:
    for module in (mrn, eori, hs_code, locode, container, vat):
        try:
            result = module.validate(value)
        except InvalidIdentifier:
            assert not module.is_valid(value)
        else:
            assert module.is_valid(result)
            assert module.validate(result) == result
