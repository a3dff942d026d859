import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from playwright.sync_api import expect

from tests.factories import DEMO_PASSWORD, UserFactory, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_STEP_SECONDS = 30


@contextmanager
def start_of_a_totp_step() -> Iterator[None]:
    """The clock (still ticking, for the live server too) at the start of a 30-second step, so a code stays valid."""
    next_step = (int(time.time()) // TOTP_STEP_SECONDS + 1) * TOTP_STEP_SECONDS
    with time_machine.travel(next_step + 0.5, tick=True):
        yield


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_STEP_SECONDS + steps_ahead))


def sign_in_with_password(page, email: str) -> None:
    page.visit("/account/login/")
    page.page.get_by_label("Email address").fill(email)
    page.page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.click(page.page.get_by_role("button", name="Sign in", exact=True))


def sign_out(page) -> None:
    page.click(page.page.get_by_role("banner").get_by_role("link", name="Sign out"))
    page.click(page.page.get_by_role("main").get_by_role("button", name="Sign out"))
    assert page.path == "/account/login/"
    page.visit("/")
    assert page.path == "/account/login/?next=/"


def test_a_person_signs_in_with_their_authenticator_app_and_signs_out(page, bob):
    secret = generate_totp_secret()
    enrol_totp(bob, secret)

    page.visit("/account/login/")
    print(f"Screenshot: {page.screenshot('sign-in')}")
    with start_of_a_totp_step():
        sign_in_with_password(page, bob.email)
        assert page.path.startswith("/account/2fa/authenticate/")

        page.page.get_by_label("Security code").fill(totp_code(secret, steps_ahead=1))
        page.click(page.page.get_by_role("button", name="Continue"))
        expect(page.page).to_have_title(re.compile(r"^Error: "))

        page.page.get_by_label("Security code").fill(totp_code(secret))
        page.click(page.page.get_by_role("button", name="Continue"))

    assert page.path == "/"
    expect(page.page.get_by_role("banner")).to_contain_text("Bob Responder")
    print(f"Screenshot: {page.screenshot('home')}")
    sign_out(page)


def test_a_person_without_a_second_factor_enrols_and_sees_recovery_codes(page):
    user = UserFactory(email="new.starter@alpha.nhs.uk", full_name="New Starter")

    with start_of_a_totp_step():
        sign_in_with_password(page, user.email)
        assert page.path == "/account/2fa/totp/activate/"

        page.page.get_by_text("I cannot scan the QR code").click()
        secret = "".join(page.page.locator("#totp-secret").inner_text().split())
        page.page.get_by_label("Security code").fill(totp_code(secret))
        page.click(page.page.get_by_role("button", name="Continue"))

    assert page.path == "/account/2fa/recovery-codes/"
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    expected_codes = RecoveryCodes(recovery).get_unused_codes()
    shown_codes = page.page.locator("#recovery_codes li").all_inner_texts()
    assert len(expected_codes) == 10
    assert sorted(code.strip() for code in shown_codes) == sorted(expected_codes)

    page.click(page.page.get_by_role("main").get_by_role("button", name="Continue"))
    assert page.path == "/"
    expect(page.page.get_by_role("banner")).to_contain_text("New Starter")
    sign_out(page)
