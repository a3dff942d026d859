"""Mobile numbers: anything a person might type for a UK mobile is stored as E.164; anything else is refused,
saying what is wrong, and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError

from respond.core.models import AuditLog
from respond.notifications.models import AlertOnlyContact, UserContactDetails
from respond.notifications.phone import format_uk_mobile, normalise_uk_mobile


@pytest.mark.parametrize(
    "typed",
    [
        "07700900982",
        "07700 900 982",
        "07700 900982",
        "07700-900-982",
        "(07700) 900982",
        "+447700900982",
        "+44 7700 900982",
        "+44 (0)7700 900982",
        "0044 7700 900982",
        "447700900982",
        "7700900982",
        " 07700.900.982 ",
    ],
)
def test_uk_mobiles_in_any_usual_format(typed):
    assert normalise_uk_mobile(typed) == "+447700900982"


def test_isle_of_man_mobiles_are_mobiles():
    assert normalise_uk_mobile("07624 123456") == "+447624123456"


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter a mobile phone number, like 07700 900 982"),
        ("07700 9OO 982", "Mobile phone number must only include numbers 0 to 9, spaces, brackets, dashes and +"),
        ("call me", "Mobile phone number must only include numbers 0 to 9, spaces, brackets, dashes and +"),
        ("+33 6 12 34 56 78", "Enter a UK mobile phone number. This service cannot send text messages to numbers"),
        ("+1 202 555 0143", "Enter a UK mobile phone number. This service cannot send text messages to numbers"),
        ("020 7946 0991", "Enter a UK mobile phone number starting 07, like 07700 900 982. Landlines cannot"),
        ("0113 496 0000", "Enter a UK mobile phone number starting 07, like 07700 900 982. Landlines cannot"),
        ("07700 90098", "Mobile phone number is too short"),
        ("07700 9009822", "Mobile phone number is too long"),
        ("+44 7700 9009", "Mobile phone number is too short"),
        ("07000 123456", "Enter a UK mobile phone number. Numbers starting 070 are not mobile numbers"),
        ("07623 123456", "Enter a UK mobile phone number. Numbers starting 076 are not mobile numbers"),
    ],
)
def test_numbers_that_are_not_uk_mobiles_are_refused_with_the_reason(typed, error):
    with pytest.raises(ValidationError) as raised:
        normalise_uk_mobile(typed)
    assert raised.value.messages[0].startswith(error)


def test_numbers_are_shown_as_people_write_them():
    assert format_uk_mobile("+447700900982") == "07700 900982"


@pytest.mark.django_db
def test_a_bad_number_on_the_text_message_page_saves_nothing(alice, signed_in):
    response = signed_in(alice).post(
        "/contact-preferences/mobile/", {"sms_opt_in": "yes", "mobile_number": "020 7946 0991"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "Enter a UK mobile phone number starting 07, like 07700 900 982. Landlines cannot get text messages" in html
    assert not UserContactDetails.objects.exists()
    assert not AuditLog.objects.filter(action="notifications.mobile_changed").exists()


@pytest.mark.django_db
def test_a_bad_number_for_an_alert_contact_saves_nothing(alice, trust_a, signed_in):
    response = signed_in(alice).post(
        f"/organisations/{trust_a.ods_code}/alert-contacts/add/",
        {"name": "On-call manager", "email": "oncall@alpha.nhs.uk", "mobile_number": "+33 6 12 34 56 78"},
    )
    assert response.status_code == 200
    assert "This service cannot send text messages to numbers from other countries" in response.content.decode()
    assert not AlertOnlyContact.objects.exists()
