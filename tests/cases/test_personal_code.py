"""Latvian personal codes: both forms, normalisation, and each way a code can be wrong."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.lv.pvn import calc_check_digit_pers

from casework.cases.personal_code import (
    InvalidPersonalCode,
    PersonalCodeInfo,
    validate_personal_code,
)

TODAY = date(2025, 6, 1)


def with_check_digit(first_ten: str) -> str:
    """A code with a correct check digit, written DDMMYY-NNNNN."""
    digits = first_ten + calc_check_digit_pers(first_ten)
    return f"{digits[:6]}-{digits[6:]}"


@pytest.mark.parametrize(
    "given", ["161175-19997", "16117519997", "  161175-19997\n", "\t16117519997 "]
)
def test_an_old_form_code_is_accepted_with_or_without_hyphen_and_spaces(given):
    assert validate_personal_code(given, TODAY) == PersonalCodeInfo(
        "161175-19997", date(1975, 11, 16), False
    )


@pytest.mark.parametrize(
    ("first_ten", "born"),
    [
        ("0101990123", date(1899, 1, 1)),
        ("1503122234", date(2012, 3, 15)),
        ("1503121234", date(1912, 3, 15)),
        ("2902202000", date(2020, 2, 29)),
    ],
)
def test_the_century_digit_gives_the_birth_year(first_ten, born):
    assert validate_personal_code(with_check_digit(first_ten), TODAY).birth_date == born


def test_a_new_form_code_has_no_birth_date():
    info = validate_personal_code("32867300679", TODAY)
    assert info == PersonalCodeInfo("328673-00679", None, True)


@pytest.mark.parametrize("given", ["161175-19998", "328673-00677"], ids=["old", "new"])
def test_a_wrong_check_digit_is_refused(given):
    with pytest.raises(InvalidPersonalCode) as refused:
        validate_personal_code(given, TODAY)
    assert refused.value.code == "checksum"


@pytest.mark.parametrize("first_ten", ["3102751999", "2902211999", "0013751999", "3301751999"])
def test_an_impossible_birth_date_is_refused(first_ten):
    with pytest.raises(InvalidPersonalCode) as refused:
        validate_personal_code(with_check_digit(first_ten), TODAY)
    assert refused.value.code == "birth_date"


def test_a_future_birth_date_is_refused():
    code = with_check_digit("0206252000")  # 2 June 2025, the day after TODAY
    with pytest.raises(InvalidPersonalCode) as refused:
        validate_personal_code(code, TODAY)
    assert refused.value.code == "future_birth_date"


def test_a_child_born_today_is_accepted():
    code = with_check_digit("0106252000")
    assert validate_personal_code(code, TODAY).birth_date == TODAY


def test_today_defaults_to_the_current_date():
    assert validate_personal_code("161175-19997").birth_date == date(1975, 11, 16)


@pytest.mark.parametrize("given", ["40003521600", "400035-21600", "90000010008"])
def test_a_company_registration_number_is_not_a_personal_code(given):
    with pytest.raises(InvalidPersonalCode) as refused:
        validate_personal_code(given, TODAY)
    assert refused.value.code == "company_code"
    assert "juridiskas personas" in refused.value.message("lv")
    assert "company" in refused.value.message("en")


@pytest.mark.parametrize(
    "given",
    [
        "",
        "1611751999",
        "161175199977",
        "16117-519997",
        "161175--19997",
        "1611 7519997",
        "LV16117519997",
        "16117A-19997",
        "١٦١١٧٥-١٩٩٩٧",  # Arabic-Indic digits
        None,
        16117519997,
    ],
)
def test_a_text_not_shaped_like_a_personal_code_is_refused(given):
    with pytest.raises(InvalidPersonalCode) as refused:
        validate_personal_code(given, TODAY)
    assert refused.value.code == "format"


def test_the_error_is_a_value_error_in_latvian_and_english():
    with pytest.raises(ValueError) as refused:
        validate_personal_code("161175-19998", TODAY)
    err = refused.value
    assert str(err) == err.message("lv") == err.message("lv")
    assert err.message("en") == err.message("en")
    assert "kontrolcipars" in err.message("lv")
    assert "check digit" in err.message("en")
