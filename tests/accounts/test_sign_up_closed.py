"""Nobody can sign themselves up; and the pages single sign-on can end on."""

import pytest
from django.urls import reverse

from respond.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_sign_up_page_says_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>You need an account to use this service</h1>" in content
    assert "sign-up is closed" in content


def test_posting_to_sign_up_creates_nobody(client):
    response = client.post(
        reverse("account_signup"), {"email": "intruder@example.com", "password1": "a-long-enough-password-1"}
    )

    assert "sign-up is closed" in response.content.decode()
    assert not User.objects.filter(email="intruder@example.com").exists()
    assert User.objects.count() == 0


def test_single_sign_on_sign_up_is_closed_too(client):
    response = client.get(reverse("socialaccount_signup"))

    # No pending single sign-on: allauth sends the person back to sign in; nobody is created.
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert User.objects.count() == 0


def test_the_single_sign_on_error_page(client):
    response = client.get(reverse("socialaccount_login_error"))

    assert response.status_code == 401
    content = response.content.decode()
    assert "<h1>Sorry, we could not sign you in</h1>" in content
    assert f'href="{reverse("account_login")}"' in content


def test_the_single_sign_on_cancelled_page(client):
    content = client.get(reverse("socialaccount_login_cancelled")).content.decode()

    assert "<h1>You did not finish signing in</h1>" in content
