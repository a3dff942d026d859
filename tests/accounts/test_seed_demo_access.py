"""`seed_demo` also leaves a pending invitation and a pending access request for the R0A administrator to try."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from respond.accounts.models import AccessRequest, Invitation, InvitationStatus, User
from tests.accounts.access_helpers import page_text

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_makes_an_invitation_and_an_access_request_once(client_of):
    output = seed()

    invitation = Invitation.objects.get()
    assert invitation.email == "new.responder@r0a.demo.invalid"
    assert invitation.organisation.ods_code == "R0A"
    assert invitation.invited_by.email == "admin@r0a.demo.invalid"
    assert invitation.status == InvitationStatus.PENDING
    access_request = AccessRequest.objects.get()
    assert access_request.requester.email == "responder@0df.demo.invalid"
    assert access_request.organisation.ods_code == "R0A"
    assert access_request.is_pending
    assert mail.outbox == []  # demo addresses are not real

    link = re.search(
        r"accept the invitation, as Nia Newstarter, at http://127\.0\.0\.1:8000(/invitations/\S+/)", output
    )
    assert link, output
    assert "Create your password" in page_text(Client().get(link.group(1)))
    page = page_text(client_of(User.objects.get(email="admin@r0a.demo.invalid")).get(reverse("access:index")))
    assert "Lee Lead" in page
    assert "new.responder@r0a.demo.invalid" in page

    again = seed()

    assert Invitation.objects.count() == 1
    assert AccessRequest.objects.count() == 1
    assert "an invitation to new.responder@r0a.demo.invalid: made on an earlier run" in again
    assert "to respond for R0A: made on an earlier run" in again
    assert "accept the invitation" not in again
