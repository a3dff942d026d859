"""Generated input for contact preferences: text messages and a mobile number, extra email addresses, and an
organisation's alert-only contacts and webhooks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from respond.notifications.phone import format_uk_mobile, normalise_uk_mobile
from tests.fuzz.harness import example, shown_after, submit
from tests.fuzz.strategies import accepted_text, budget, emails, field_value, mobiles, nasty_text, submissions

pytestmark = pytest.mark.django_db

numbers = st.one_of(nasty_text, mobiles)
addresses = st.one_of(nasty_text, emails)


@budget
@given(
    data=submissions(
        st.one_of(
            st.fixed_dictionaries({"sms_opt_in": st.just("yes"), "mobile_number": mobiles}),
            st.fixed_dictionaries({"sms_opt_in": st.just("no"), "mobile_number": st.one_of(st.just(""), numbers)}),
        ),
        {"sms_opt_in": field_value("yes", "no"), "mobile_number": numbers},
    )
)
def test_choosing_text_messages(as_alice, data):
    with example():
        outcome = submit(as_alice, "/contact-preferences/mobile/", data)
        if outcome.valid and data["sms_opt_in"] == "yes":
            shown_after(as_alice, outcome, format_uk_mobile(normalise_uk_mobile(data["mobile_number"])))


@budget
@given(email=st.one_of(nasty_text.map(str), emails, emails.map(str.upper).map(lambda email: f" {email} ")))
def test_adding_an_email_address(as_alice, email):
    with example():
        outcome = submit(as_alice, "/contact-preferences/email-addresses/add/", {"email": email})
        if outcome.valid:
            shown_after(as_alice, outcome, email.strip().lower())


# A contact has an email address, a mobile number, or both.
_reachable = st.one_of(st.tuples(emails, st.just("")), st.tuples(st.just(""), mobiles), st.tuples(emails, mobiles)).map(
    lambda pair: {"email": pair[0], "mobile_number": pair[1]}
)


@budget
@given(
    data=submissions(
        st.tuples(accepted_text(200), _reachable).map(lambda pair: {"name": pair[0], **pair[1]}),
        {
            "name": st.one_of(nasty_text, accepted_text(200)),
            "email": st.one_of(addresses, st.just("")),
            "mobile_number": numbers,
        },
    )
)
def test_adding_an_alert_contact(as_alice, trust_a, data):
    with example():
        outcome = submit(as_alice, f"/organisations/{trust_a.ods_code}/alert-contacts/add/", data)
        if outcome.valid:
            shown_after(as_alice, outcome, data["name"], data["email"].strip().lower())


# A web address a receiver could have: any host, a path and a query of the characters a URL may hold.
_URL_CHARACTERS = "abcXYZ019-._~%!$&'()*+,;=:@/"
web_addresses = st.tuples(
    st.sampled_from(["https://", "http://", "HTTPS://"]),
    st.from_regex(r"([a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\.){1,3}[a-z]{2,10}", fullmatch=True),
    st.text(alphabet=_URL_CHARACTERS, max_size=60),
    st.one_of(st.just(""), st.text(alphabet=_URL_CHARACTERS + "?", max_size=60).map(lambda query: f"?{query}")),
).map(lambda parts: f"{parts[0]}{parts[1]}/{parts[2]}{parts[3]}")


@budget
@given(
    data=submissions(
        st.fixed_dictionaries({"url": web_addresses, "description": st.one_of(st.just(""), accepted_text(200))}),
        {
            "url": st.one_of(nasty_text, st.sampled_from(["https://tickets.example.com/hook", "https://"])),
            "description": st.one_of(nasty_text, st.just("")),
        },
    )
)
def test_adding_a_webhook(as_alice, trust_a, data):
    with example():
        outcome = submit(as_alice, f"/organisations/{trust_a.ods_code}/webhooks/add/", data)
        if outcome.valid:
            shown_after(as_alice, outcome, data["url"], data["description"])
