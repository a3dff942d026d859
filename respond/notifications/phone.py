"""UK mobile numbers: what people type in, checked and stored as E.164 (+447700900982)."""

import re

from django.core.exceptions import ValidationError

EXAMPLE = "07700 900 982"
# What people type between digits: spaces, dashes, dots, brackets, and "(0)" after +44.
SEPARATORS = re.compile(r"[\s\-.()]")
ALLOWED = re.compile(r"^\+?[0-9\s\-.()]+$")


def normalise_uk_mobile(value: str) -> str:
    """The number in E.164, or a ValidationError saying what is wrong with it in plain English."""
    text = value.strip()
    if not text:
        raise ValidationError(f"Enter a mobile phone number, like {EXAMPLE}", code="required")
    if not ALLOWED.match(text):
        raise ValidationError(
            "Mobile phone number must only include numbers 0 to 9, spaces, brackets, dashes and +", code="characters"
        )
    digits = SEPARATORS.sub("", text.replace("(0)", ""))
    international = digits.startswith(("+", "00"))
    digits = digits.lstrip("+")
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("44") and (international or len(digits) == 12):
        national = digits[2:]
    elif international:
        raise ValidationError(
            "Enter a UK mobile phone number. This service cannot send text messages to numbers from other countries",
            code="not_uk",
        )
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if not national.startswith("7"):
        raise ValidationError(
            f"Enter a UK mobile phone number starting 07, like {EXAMPLE}. Landlines cannot get text messages",
            code="not_mobile",
        )
    if len(national) < 10:
        raise ValidationError("Mobile phone number is too short", code="too_short")
    if len(national) > 10:
        raise ValidationError("Mobile phone number is too long", code="too_long")
    # 070 numbers are personal numbers that forward calls, and 076 numbers are pagers (except 07624, the
    # Isle of Man's mobiles): neither gets text messages.
    if national.startswith("70") or (national.startswith("76") and not national.startswith("7624")):
        raise ValidationError(
            f"Enter a UK mobile phone number. Numbers starting {'070' if national.startswith('70') else '076'} "
            "are not mobile numbers",
            code="not_mobile",
        )
    return f"+44{national}"


def format_uk_mobile(e164: str) -> str:
    """+447700900982 -> 07700 900982, as people write it."""
    if not e164.startswith("+44") or len(e164) != 13:
        return e164
    national = "0" + e164[3:]
    return f"{national[:5]} {national[5:]}"
