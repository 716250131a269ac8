"""USCC and personal document numbers: normalisation, validation, masking."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.demo import make_resident_id, make_uscc
from hub.identifiers import (
    RESIDENT_WEIGHTS,
    USCC_ALPHABET,
    IdentifierError,
    _compact,
    _remembered,
    clean_text,
    mask,
    parse_person_id,
    parse_uscc,
    remembering_person_ids,
    resident_check_char,
)

VALID_USCC = "91350100M000100Y43"  # a published example code


def test_valid_uscc_normalised_from_full_width_and_spaces() -> None:
    wide = " ９１３５０１００Ｍ０００１００Ｙ４３\u200b "
    parsed = parse_uscc(wide)
    assert parsed.value == VALID_USCC
    assert parsed.region == "350100"
    assert parsed.organisation_code == "M000100Y4"


def test_lower_case_uscc_accepted() -> None:
    assert parse_uscc(VALID_USCC.lower()).value == VALID_USCC


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("91350100M000100Y4", "18 characters, not 17"),
        ("91350100M000100Y44", "check character should be '3'"),
        ("91350100M000100I43", "character 'I' is not allowed"),
        ("9135010AM000100Y43", "region code"),
        ("91350100M000100Z43", "not allowed"),
    ],
)
def test_bad_uscc_names_field_and_reason(value: str, reason: str) -> None:
    with pytest.raises(IdentifierError) as err:
        parse_uscc(value, field="subject.uscc")
    assert err.value.field == "subject.uscc"
    assert reason in err.value.reason


def test_wrong_organisation_code_check_is_rejected() -> None:
    # Change the organisation-code check (position 17) and repair the overall check.
    from hub.identifiers import uscc_check_char

    body = VALID_USCC[:16] + ("5" if VALID_USCC[16] != "5" else "6")
    code = body + uscc_check_char(body)
    with pytest.raises(IdentifierError, match="organisation code"):
        parse_uscc(code)


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_usccs_are_valid_and_any_single_change_is_caught(seed: int) -> None:
    rng = random.Random(seed)
    code = make_uscc(rng)
    assert parse_uscc(code).value == code
    pos = rng.randrange(18)
    other = rng.choice([c for c in USCC_ALPHABET if c != code[pos]])
    with pytest.raises(IdentifierError):
        parse_uscc(code[:pos] + other + code[pos + 1 :])


def test_resident_id_lower_x_and_legacy_15_digits() -> None:
    first17 = "11010519491231002"
    number = first17 + resident_check_char(first17)
    assert number.endswith("X")
    assert parse_person_id("resident_id", number.lower()).number == number
    legacy = "110105491231002"  # 15 digits, born 1949-12-31
    assert parse_person_id("resident_id", legacy).number == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "wrong check character"),
        ("11010519491332002" + "0", "not a real birth date"),
        ("1101051949123100", "18 characters"),
    ],
)
def test_bad_resident_id_rejected_with_masked_value(value: str, reason: str) -> None:
    with pytest.raises(IdentifierError) as err:
        parse_person_id("resident_id", value)
    assert reason in err.value.reason
    assert value not in str(err.value)  # never the clear number in a message
    assert err.value.field == "id_number"


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_resident_ids_are_valid(seed: int) -> None:
    number = make_resident_id(random.Random(seed))
    assert parse_person_id("resident_id", number).number == number


@pytest.mark.parametrize(
    ("id_type", "value", "ok"),
    [
        ("passport", "E12345678", True),
        ("passport", "E1234", True),
        ("passport", "E1", False),
        ("hk_macao_taiwan", "H12345678", True),
        ("hk_macao_taiwan", "X12345678", False),
        ("foreign_permanent", "USA123456789012", True),
        ("foreign_permanent", "US123", False),
    ],
)
def test_other_documents_format_checked(id_type: str, value: str, ok: bool) -> None:
    if ok:
        assert parse_person_id(id_type, value).number == value
    else:
        with pytest.raises(IdentifierError, match=f"not a valid {id_type}"):
            parse_person_id(id_type, value)


def test_unknown_document_type_rejected() -> None:
    with pytest.raises(IdentifierError) as err:
        parse_person_id("driving_licence", "123")
    assert err.value.field == "id_type"


def test_mask_keeps_only_head_and_tail() -> None:
    assert mask("110105194912310021") == "110105********0021"
    person = parse_person_id("passport", "E12345678")
    assert "2345" not in str(person) and "2345" not in repr(person)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_compaction_matches_the_unicode_path(raw: str) -> None:
    assert _compact(raw) == clean_text(raw).replace(" ", "").upper()


@given(st.text(alphabet="0123456789\u0660\u0663\u0669\uff11", min_size=17, max_size=17))
def test_resident_check_character_reads_digits_as_int_does(first17: str) -> None:
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_WEIGHTS, strict=True))
    assert resident_check_char(first17) == "10X98765432"[total % 11]


def test_remembered_person_ids_are_the_same_and_forgotten_after_the_block() -> None:
    number = make_resident_id(random.Random(7))
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    with remembering_person_ids(size=4):
        first = parse_person_id("resident_id", " " + number.lower())
        assert parse_person_id("resident_id", " " + number.lower()) is first
        assert first == parse_person_id("resident_id", number)
        for _ in range(2):  # a rejection is not remembered: it fails each time, the same way
            with pytest.raises(IdentifierError, match="wrong check character") as err:
                parse_person_id("resident_id", bad, "idNumber")
            assert err.value.field == "idNumber" and bad not in str(err.value)
    assert _remembered.get() is None
