"""Shared by the access and invitation tests: reading pages and emails, and a second administrator of Trust A."""

import re
import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from respond.accounts.models import Role, User
from respond.organisations.models import Organisation
from tests.core.html import parse
from tests.factories import enrol_totp, member

INVITATION_LINK = re.compile(r"http://127\.0\.0\.1:8000(/invitations/[A-Za-z0-9_-]+/)")


def page_text(response) -> str:
    """The visible text of an HTML response, whitespace collapsed."""
    return parse(response.content).find("main").text


def title(response) -> str:
    return parse(response.content).find("title").text


def error_summary(response) -> str:
    return parse(response.content).find("div", class_="nhsuk-error-summary").text


def invitation_link(message) -> str:
    match = INVITATION_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def last_invitation_link() -> str:
    return invitation_link(mail.outbox[-1])


def second_administrator(organisation: Organisation, **kwargs) -> User:
    defaults = {"email": "ann@alpha.nhs.uk", "full_name": "Ann Other"}
    return member(organisation, Role.ADMINISTRATOR, **{**defaults, **kwargs})


def access_url(name: str, *args) -> str:
    return reverse(f"access:{name}", args=args)


def signed_in_client(user: User) -> Client:
    """A client signed in with a second factor, as tests.conftest.sign_in, enrolling the app only once per user."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first() or enrol_totp(user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client
