"""Norwegian fødselsnummer / D-nummer and Danish CPR numbers → birth date and sex, and the
age at a date. Used by the message reader; the numbers themselves go no further."""
from __future__ import annotations

import re
from datetime import date


def birth_and_sex_from_fnr(number: str) -> tuple[date, str] | None:
    """Birth date and sex of a Norwegian fødselsnummer, D-nummer or H-nummer (also the
    synthetic test numbers with month + 80). None when it is not a valid date."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) != 11:
        return None
    dd, mm, yy, ind = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6:9])
    if dd > 40:
        dd -= 40  # D-nummer
    if mm > 80:
        mm -= 80  # synthetic test number
    elif mm > 40:
        mm -= 40  # H-nummer
    if ind <= 499:
        century = 1900
    elif ind <= 749 and yy >= 54:
        century = 1800
    elif yy <= 39:
        century = 2000
    elif ind >= 900:
        century = 1900
    else:
        return None
    try:
        born = date(century + yy, mm, dd)
    except ValueError:
        return None
    return born, ("male" if int(digits[8]) % 2 else "female")


def birth_and_sex_from_cpr(number: str) -> tuple[date, str] | None:
    """Birth date and sex of a Danish CPR number (century from the 7th digit, sex from the last)."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) != 10:
        return None
    dd, mm, yy, d7 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if d7 <= 3:
        century = 1900
    elif d7 in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    try:
        born = date(century + yy, mm, dd)
    except ValueError:
        return None
    return born, ("male" if int(digits[9]) % 2 else "female")


def age_at(born: date, on: str | None) -> int | None:
    try:
        day = date.fromisoformat(on[:10]) if on else date.today()
    except ValueError:
        day = date.today()
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return years if 0 <= years <= 130 else None
