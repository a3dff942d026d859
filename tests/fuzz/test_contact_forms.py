"""Generated input for contact preferences: text messages and a mobile number, extra email addresses, and an
organisation's alert-only contacts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.harness import example, shown_after, submit
from tests.fuzz.strategies import budget, emails, field_value, mobiles, nasty_text, plain_text

pytestmark = pytest.mark.django_db

numbers = st.one_of(nasty_text, mobiles)
addresses = st.one_of(nasty_text, emails)


@budget
@given(opt_in=field_value("yes", "no"), mobile=numbers)
def test_choosing_text_messages(as_alice, opt_in, mobile):
    with example():
        outcome = submit(as_alice, "/contact-preferences/mobile/", {"sms_opt_in": opt_in, "mobile_number": mobile})
        if outcome.valid and opt_in == "yes":
            shown_after(as_alice, outcome, "07700 900" + mobile[-3:])


@budget
@given(email=addresses)
def test_adding_an_email_address(as_alice, email):
    with example():
        outcome = submit(as_alice, "/contact-preferences/email-addresses/add/", {"email": email})
        if outcome.valid:
            shown_after(as_alice, outcome, email.strip().lower())


@budget
@given(name=st.one_of(nasty_text, plain_text), email=st.one_of(addresses, st.just("")), mobile=numbers)
def test_adding_an_alert_contact(as_alice, trust_a, name, email, mobile):
    with example():
        data = {"name": name, "email": email, "mobile_number": mobile}
        outcome = submit(as_alice, f"/organisations/{trust_a.ods_code}/alert-contacts/add/", data)
        if outcome.valid:
            shown_after(as_alice, outcome, name.strip())


@budget
@given(
    url=st.one_of(nasty_text, st.sampled_from(["https://tickets.example.com/hook", "http://example.com", "https://"])),
    description=st.one_of(nasty_text, plain_text, st.just("")),
)
def test_adding_a_webhook(as_alice, trust_a, url, description):
    with example():
        data = {"url": url, "description": description}
        outcome = submit(as_alice, f"/organisations/{trust_a.ods_code}/webhooks/add/", data)
        if outcome.valid:
            shown_after(as_alice, outcome, url.strip())
