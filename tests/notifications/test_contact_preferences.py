"""People choose where alerts reach them; administrators add alert-only contacts for their organisation."""

import pytest
from django.test import Client

from respond.core.models import AuditLog
from respond.notifications import services
from respond.notifications.models import AlertOnlyContact, ExtraEmail, Notification, UserContactDetails
from tests.notifications.conftest import make_alert

pytestmark = pytest.mark.django_db
PREFERENCES = "/contact-preferences/"


def test_the_preferences_page_shows_where_alerts_go(alice, signed_in):
    ExtraEmail.objects.create(user=alice, email="team@alpha.nhs.uk")
    UserContactDetails.objects.create(user=alice, mobile_number="+447700900982", sms_opt_in=True)
    html = signed_in(alice).get(PREFERENCES).content.decode()
    assert "alice@alpha.nhs.uk" in html
    assert "team@alpha.nhs.uk" in html
    assert "07700 900982" in html


def test_opting_in_to_text_messages(alice, signed_in, trust_a):
    client = signed_in(alice)
    response = client.post(
        PREFERENCES + "mobile/", {"sms_opt_in": "yes", "mobile_number": "07700 900 982"}, follow=True
    )
    assert "You will get text messages about major incidents" in response.content.decode()
    details = UserContactDetails.objects.get(user=alice)
    assert (details.mobile_number, details.sms_opt_in) == ("+447700900982", True)
    entry = AuditLog.objects.get(action="notifications.mobile_changed")
    assert entry.after == {"mobile_number": "+447700900982", "sms_opt_in": True}

    services.notifications_for_alert(alert=make_alert(organisations=[trust_a], major_incident=True))
    assert Notification.objects.filter(address="+447700900982").count() == 2


def test_opting_out_forgets_the_number(alice, signed_in):
    UserContactDetails.objects.create(user=alice, mobile_number="+447700900982", sms_opt_in=True)
    client = signed_in(alice)
    page = client.get(PREFERENCES + "mobile/").content.decode()
    assert 'value="07700 900982"' in page
    assert 'type="tel"' in page
    client.post(PREFERENCES + "mobile/", {"sms_opt_in": "no", "mobile_number": "07700 900 982"})
    details = UserContactDetails.objects.get(user=alice)
    assert (details.mobile_number, details.sms_opt_in) == ("", False)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Select yes if you want text messages about major cyber incidents"),
        ({"sms_opt_in": "yes", "mobile_number": ""}, "Enter a mobile phone number, like 07700 900 982"),
        ({"sms_opt_in": "maybe"}, "Select a valid choice"),
    ],
)
def test_text_message_choices_need_an_answer(alice, signed_in, data, error):
    response = signed_in(alice).post(PREFERENCES + "mobile/", data)
    assert error in response.content.decode()
    assert not UserContactDetails.objects.exists()


def test_adding_and_removing_another_email_address(alice, signed_in, trust_a):
    client = signed_in(alice)
    response = client.post(PREFERENCES + "email-addresses/add/", {"email": "Team@Alpha.nhs.uk"}, follow=True)
    assert "We will also send alerts to team@alpha.nhs.uk" in response.content.decode()
    extra = ExtraEmail.objects.get(user=alice)
    assert extra.email == "team@alpha.nhs.uk"

    services.notifications_for_alert(alert=make_alert(organisations=[trust_a]))
    assert Notification.objects.filter(address="team@alpha.nhs.uk", user=alice).exists()

    response = client.post(PREFERENCES + f"email-addresses/{extra.pk}/remove/", follow=True)
    assert "We will no longer send alerts to team@alpha.nhs.uk" in response.content.decode()
    assert not ExtraEmail.objects.exists()
    assert AuditLog.objects.filter(action="notifications.extra_email_removed", before={"email": extra.email}).exists()


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "Enter an email address"),
        ("not-an-address", "Enter an email address in the correct format, like name@example.nhs.uk"),
        ("alice@alpha.nhs.uk", "This is the email address you sign in with"),
        ("team@alpha.nhs.uk", "You have already added this email address"),
    ],
)
def test_extra_email_errors(alice, signed_in, email, error):
    ExtraEmail.objects.create(user=alice, email="team@alpha.nhs.uk")
    response = signed_in(alice).post(PREFERENCES + "email-addresses/add/", {"email": email})
    assert error in response.content.decode()
    assert ExtraEmail.objects.count() == 1


def test_people_cannot_remove_each_others_addresses(alice, bob, signed_in):
    extra = ExtraEmail.objects.create(user=bob, email="bob-team@alpha.nhs.uk")
    assert signed_in(alice).post(PREFERENCES + f"email-addresses/{extra.pk}/remove/").status_code == 404
    assert ExtraEmail.objects.filter(pk=extra.pk).exists()


def test_removing_needs_a_post(alice, signed_in):
    extra = ExtraEmail.objects.create(user=alice, email="team@alpha.nhs.uk")
    assert signed_in(alice).get(PREFERENCES + f"email-addresses/{extra.pk}/remove/").status_code == 405


def test_pages_need_signing_in():
    response = Client().get(PREFERENCES)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_an_administrator_adds_and_removes_alert_contacts(alice, trust_a, signed_in):
    client = signed_in(alice)
    url = f"/organisations/{trust_a.ods_code}/alert-contacts/"
    response = client.post(
        url + "add/",
        {"name": "On-call manager", "email": "OnCall@alpha.nhs.uk", "mobile_number": "07700 900 123"},
        follow=True,
    )
    assert "On-call manager will be told about cyber alerts" in response.content.decode()
    contact = AlertOnlyContact.objects.get()
    assert (contact.email, contact.mobile_number, contact.created_by) == ("oncall@alpha.nhs.uk", "+447700900123", alice)
    assert "07700 900123" in client.get(url).content.decode()

    response = client.post(url + f"{contact.pk}/remove/", follow=True)
    assert "On-call manager will no longer be told about cyber alerts" in response.content.decode()
    assert not AlertOnlyContact.objects.exists()
    assert AuditLog.objects.filter(action="notifications.alert_contact_removed").exists()


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"name": "", "email": "x@alpha.nhs.uk"}, "Enter a name"),
        ({"name": "Nobody"}, "Enter an email address or a mobile phone number, or both"),
        ({"name": "Bad", "email": "nope"}, "Enter an email address in the correct format"),
        (
            {"name": "Twice", "email": "dup@alpha.nhs.uk"},
            "This email address is already a contact for your organisation",
        ),
    ],
)
def test_alert_contact_errors(alice, trust_a, signed_in, data, field_error):
    AlertOnlyContact.objects.create(organisation=trust_a, name="Existing", email="dup@alpha.nhs.uk")
    response = signed_in(alice).post(f"/organisations/{trust_a.ods_code}/alert-contacts/add/", data)
    assert field_error in response.content.decode()
    assert AlertOnlyContact.objects.count() == 1


@pytest.mark.parametrize("who", ["bob", "charlie", "auditor"])
def test_only_the_organisations_administrators_and_csoc_manage_its_contacts(trust_a, signed_in, request, who):
    contact = AlertOnlyContact.objects.create(organisation=trust_a, name="Existing", email="x@alpha.nhs.uk")
    client = signed_in(request.getfixturevalue(who))
    url = f"/organisations/{trust_a.ods_code}/alert-contacts/"
    assert client.get(url).status_code == 403
    assert client.post(url + "add/", {"name": "Sneaky", "email": "s@x.nhs.uk"}).status_code == 403
    assert client.post(url + f"{contact.pk}/remove/").status_code == 403
    assert AlertOnlyContact.objects.count() == 1


def test_csoc_can_manage_any_organisations_contacts(csoc, trust_a, signed_in):
    response = signed_in(csoc).get(f"/organisations/{trust_a.ods_code.lower()}/alert-contacts/")
    assert response.status_code == 200
    assert "Alpha Hospitals NHS Trust has no alert contacts." in response.content.decode()


def test_a_contact_of_another_organisation_cannot_be_removed_through_yours(alice, trust_a, trust_b, signed_in):
    other = AlertOnlyContact.objects.create(organisation=trust_b, name="Theirs", email="t@beta.nhs.uk")
    assert (
        signed_in(alice).post(f"/organisations/{trust_a.ods_code}/alert-contacts/{other.pk}/remove/").status_code == 404
    )
    assert AlertOnlyContact.objects.filter(pk=other.pk).exists()
