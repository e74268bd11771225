"""Latvian personal codes (personas kods): validation and normalisation, no database.

Two forms exist:

* old form ``DDMMYY-CNNNC``: the birth date, then a century digit (0 = 1800s, 1 = 1900s,
  2 = 2000s), three serial digits and a check digit;
* new form ``32XXXX-XXXXX``, issued since July 2017, which carries no birth date but still ends
  with a check digit.

The check digit is computed by python-stdnum (``stdnum.lv.pvn``); that module validates VAT
numbers, which for natural persons are the personal code, and for legal entities (first digit 4
to 9) are company registration numbers, which this module rejects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.lv import pvn

from workflows.labels import DEFAULT_LOCALE, L_, Label, language

_SHAPE = re.compile(r"\d{6}-?\d{5}")

_MESSAGES: dict[str, Label] = {
    "format": L_("personal code", "A personal code has the form DDMMYY-NNNNN (11 digits)."),
    "company_code": L_(
        "personal code",
        "This is a company registration number, not a personal code.",
    ),
    "birth_date": L_(
        "personal code",
        "The first six digits of the personal code are not a valid birth date.",
    ),
    "future_birth_date": L_(
        "personal code",
        "The birth date in the personal code is in the future.",
    ),
    "checksum": L_(
        "personal code",
        "The check digit of the personal code is wrong; check the code for typing "
        "errors.",
    ),
}


class InvalidPersonalCode(ValueError):  # noqa: N818 - the name the callers import
    """A text that is not a valid Latvian personal code; `code` says why (for example
    ``"checksum"``) and `message(locale)` says it in the user's language (a catalog text)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.text = _MESSAGES[code]
        super().__init__(code)

    def message(self, locale: str | None = DEFAULT_LOCALE) -> str:
        """The message in the language of `locale` ("lv", "en"); Latvian by default."""
        return self.text[language(locale)]

    def __str__(self) -> str:
        return self.message(DEFAULT_LOCALE)


@dataclass(frozen=True)
class PersonalCodeInfo:
    """A valid personal code: normalised as ``DDMMYY-NNNNN``, with its birth date if it has one."""

    code: str
    birth_date: date | None
    is_new_form: bool


def validate_personal_code(code: str, today: date | None = None) -> PersonalCodeInfo:
    """Validate a personal code given with or without the hyphen and with surrounding spaces.

    Raises `InvalidPersonalCode` for a wrong shape, a company number, an impossible or future
    birth date (relative to `today`, default the current date) or a wrong check digit.
    """
    if not isinstance(code, str):
        raise InvalidPersonalCode("format")
    text = code.strip()
    # fullmatch with \d would also accept other scripts' digits; insist on ASCII.
    if not text.isascii() or not _SHAPE.fullmatch(text):
        raise InvalidPersonalCode("format")
    digits = text.replace("-", "")
    if digits[0] > "3":
        raise InvalidPersonalCode("company_code")
    is_new_form = digits.startswith("32")
    birth_date = None
    if not is_new_form:
        try:
            birth_date = pvn.get_birth_date(digits)
        except InvalidComponent:
            raise InvalidPersonalCode("birth_date") from None
        if birth_date > (today or date.today()):
            raise InvalidPersonalCode("future_birth_date")
    try:
        pvn.validate(digits)
    except InvalidChecksum:
        raise InvalidPersonalCode("checksum") from None
    except ValidationError:  # the checks above leave nothing else, but never let it through
        raise InvalidPersonalCode("format") from None
    return PersonalCodeInfo(f"{digits[:6]}-{digits[6:]}", birth_date, is_new_form)
