"""Validators for the identifiers used here (DOMAIN.md section 5), e-mail and phone.

Each ``validate_*`` returns the normalised value or raises ``InvalidIdentifier`` whose ``message``
is a lazy, translatable string suitable for showing next to a form field.
"""

from __future__ import annotations

from datetime import date

import phonenumbers
from email_validator import EmailNotValidError
from email_validator import validate_email as _validate_email
from flask_babel import lazy_gettext as _l

WEIGHTS_1 = tuple(range(1, 12))
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


class InvalidIdentifier(ValueError):
    def __init__(self, message: object):
        super().__init__(str(message))
        self.message = message


def check_digit(first11: str) -> int | None:
    """The KZ IIN/BIN check digit for the first 11 digits, or None if the number cannot be valid."""
    digits = [int(c) for c in first11]
    value = sum(d * w for d, w in zip(digits, WEIGHTS_1, strict=True)) % 11
    if value == 10:
        value = sum(d * w for d, w in zip(digits, WEIGHTS_2, strict=True)) % 11
        if value == 10:
            return None
    return value


def _digits(value: str, length: int, message: object) -> str:
    cleaned = "".join((value or "").split())
    if len(cleaned) != length or not (cleaned.isascii() and cleaned.isdigit()):  # "²" and "٣" are digits too
        raise InvalidIdentifier(message)
    return cleaned


def iin_birth_date(iin: str) -> date | None:
    """Birth date encoded in a KZ IIN (digits 1-6 YYMMDD, digit 7 century), or None if impossible."""
    century_digit = int(iin[6])
    if century_digit not in range(1, 7):
        return None
    century = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}[century_digit]
    try:
        return date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def validate_iin(value: str) -> str:
    iin = _digits(value, 12, _l("An IIN has exactly 12 digits."))
    if iin_birth_date(iin) is None:
        raise InvalidIdentifier(_l("This IIN does not encode a valid birth date and century."))
    if check_digit(iin[:11]) != int(iin[11]):
        raise InvalidIdentifier(_l("The IIN check digit does not match: please check the number."))
    return iin


def validate_bin(value: str) -> str:
    bin_ = _digits(value, 12, _l("A BIN has exactly 12 digits."))
    month = int(bin_[2:4])
    if not 1 <= month <= 12 or bin_[4] not in "456":
        raise InvalidIdentifier(_l("This is not a BIN of a legal entity: please check the number."))
    if check_digit(bin_[:11]) != int(bin_[11]):
        raise InvalidIdentifier(_l("The BIN check digit does not match: please check the number."))
    return bin_


def validate_kg_pin(value: str) -> str:
    pin = _digits(value, 14, _l("A personal number (PIN) has exactly 14 digits."))
    if pin[0] not in "12":
        raise InvalidIdentifier(_l("A personal number starts with 1 (female) or 2 (male)."))
    try:
        date(int(pin[5:9]), int(pin[3:5]), int(pin[1:3]))
    except ValueError:
        raise InvalidIdentifier(_l("This personal number does not encode a valid birth date.")) from None
    return pin


def validate_kg_inn(value: str) -> str:
    inn = _digits(value, 14, _l("An INN has exactly 14 digits."))
    if inn[0] not in "012":
        raise InvalidIdentifier(_l("This is not a valid INN: please check the number."))
    return inn


def iin_or_none(birth: date, sex: str, serial: int) -> str | None:
    """The IIN of this birth date, sex and 4-digit serial, or None when no check digit makes it valid."""
    century = (birth.year // 100) - 18  # 1800s -> 0, 1900s -> 1, 2000s -> 2
    first11 = f"{birth:%y%m%d}{century * 2 + (1 if sex == 'M' else 2)}{serial % 10000:04d}"
    check = check_digit(first11)
    return None if check is None else first11 + str(check)


def make_iin(birth: date, sex: str = "M", serial: int = 1234) -> str:
    """Build a valid IIN (used by the demo data and tests): the first serial from ``serial`` on that has one."""
    for offset in range(10000):
        iin = iin_or_none(birth, sex, serial + offset)
        if iin is not None:
            return iin
    raise ValueError("no valid IIN for this date")  # pragma: no cover


def make_bin(registered: date, serial: int = 1234, kind: str = "4") -> str:
    """Build a valid BIN: YYMM of registration, type digit, attribute digit, serial, check digit."""
    for offset in range(100000):
        first11 = f"{registered:%y%m}{kind}0{(serial + offset) % 100000:05d}"
        check = check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise ValueError("no valid BIN")  # pragma: no cover


def make_kg_pin(birth: date, sex: str = "M", serial: int = 12345) -> str:
    return f"{2 if sex == 'M' else 1}{birth:%d%m%Y}{serial % 100000:05d}"


def mask(value: str | None) -> str:
    """Show the first two and last two digits only, e.g. 85••••••••12."""
    if not value:
        return ""
    if len(value) <= 4:
        return "•" * len(value)
    return value[:2] + "•" * (len(value) - 4) + value[-2:]


def validate_email(value: str) -> str:
    try:
        return _validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidIdentifier(_l("Enter a valid e-mail address, e.g. name@example.kz.")) from None


def validate_phone(value: str, region: str = "KZ") -> str:
    """Return the phone number in E.164 form."""
    try:
        number = phonenumbers.parse((value or "").strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(_l("Enter a valid phone number, e.g. +7 701 234 5678."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
