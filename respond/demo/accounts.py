"""Demo users for `make run`: one for each role, with a published password and TOTP secret. Never for production."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from respond.accounts.access_requests import access_request_create
from respond.accounts.invitations import invitation_send
from respond.accounts.models import AccessRequest, GlobalRole, Invitation, Membership, Role, User
from respond.accounts.services import membership_add, user_create
from respond.core.audit import Auditor
from respond.organisations.models import Organisation, OrganisationType

DEMO_PASSWORD = "demo-cyber-alert-2024"

# The national body the auditor and CSOC staff work for; not in the ODS extracts the imports read.
NHS_ENGLAND_ODS_CODE = "X24"


@dataclass(frozen=True)
class DemoUser:
    description: str
    email: str
    full_name: str
    totp_secret: str
    ods_code: str
    role: str = ""
    global_role: str = ""
    # Organisations they respond for on behalf of (a lead organisation such as a CSU serving trusts).
    responds_for: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser(
        description="Administrator of R0A Manchester University NHS FT",
        email="admin@r0a.demo.invalid",
        full_name="Ada Administrator",
        totp_secret="WBCC6XC4AT42UWEVQ4XBAJ4QAZBZDWRE",
        ods_code="R0A",
        role=Role.ADMINISTRATOR,
    ),
    DemoUser(
        description="Responder for R0A Manchester University NHS FT",
        email="responder@r0a.demo.invalid",
        full_name="Rhys Responder",
        totp_secret="C7ONDGECPOOYH4CDIXBUHEVOI47YXK2V",
        ods_code="R0A",
        role=Role.RESPONDER,
    ),
    DemoUser(
        description="Responder of CSU 0DF, on behalf of RD1, RN3, RNZ",
        email="responder@0df.demo.invalid",
        full_name="Lee Lead",
        totp_secret="Y4UGFLGPPR7JEXTUH2GGGUN7HSHNPRC3",
        ods_code="0DF",
        role=Role.RESPONDER,
        responds_for=("RD1", "RN3", "RNZ"),
    ),
    DemoUser(
        description="Auditor (NHS England)",
        email="auditor@england.demo.invalid",
        full_name="Audrey Auditor",
        totp_secret="PELE6AFY6U5E3UKMBYIG3Z5VRLGNLROQ",
        ods_code=NHS_ENGLAND_ODS_CODE,
        global_role=GlobalRole.AUDITOR,
    ),
    DemoUser(
        description="CSOC staff (NHS England)",
        email="csoc@england.demo.invalid",
        full_name="Casey CSOC",
        totp_secret="D2HTQVJACYVBWEGGHP45WBKQUG6LU7X2",
        ods_code=NHS_ENGLAND_ODS_CODE,
        global_role=GlobalRole.CSOC,
    ),
    DemoUser(
        description="CSOC staff, second approver (NHS England)",
        email="csoc.approver@england.demo.invalid",
        full_name="Cameron Checker",
        totp_secret="KZXW6YTBOI2DGNBVGY3TQOJQGEZDGNDV",
        ods_code=NHS_ENGLAND_ODS_CODE,
        global_role=GlobalRole.CSOC,
    ),
)


def _nhs_england(auditor: Auditor) -> Organisation:
    organisation = Organisation.objects.filter(ods_code=NHS_ENGLAND_ODS_CODE).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            ods_code=NHS_ENGLAND_ODS_CODE, name="NHS England", organisation_type=OrganisationType.OTHER
        )
        auditor.log("organisation.created", organisation, after={"ods_code": NHS_ENGLAND_ODS_CODE})
    return organisation


def _ensure_user(demo: DemoUser, auditor: Auditor) -> bool:
    """Creates what is missing of one demo user; an existing user's password and app are left alone."""
    organisation = Organisation.objects.get(ods_code=demo.ods_code)
    created = False
    user = User.objects.filter(email=demo.email).first()
    if user is None:
        user = user_create(
            email=demo.email,
            full_name=demo.full_name,
            organisation=organisation,
            role=demo.role,
            global_role=demo.global_role,
            created_by_auditor=auditor,
            send_invitation=False,
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        created = True
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, demo.totp_secret)
        auditor.log("mfa.totp_enrolled", user)
        created = True
    for ods_code in demo.responds_for:
        served = Organisation.objects.get(ods_code=ods_code)
        if not Membership.objects.filter(user=user, organisation=served).exists():
            membership_add(user=user, organisation=served, role=Role.RESPONDER, added_by_auditor=auditor)
            created = True
    return created


@transaction.atomic
def seed_demo_users(*, auditor: Auditor) -> list[tuple[DemoUser, bool]]:
    """Each demo user, and whether anything was created for them on this run."""
    missing = [
        code
        for demo in DEMO_USERS
        for code in (demo.ods_code, *demo.responds_for)
        if code != NHS_ENGLAND_ODS_CODE and not Organisation.objects.filter(ods_code=code).exists()
    ]
    if missing:
        raise Organisation.DoesNotExist(f"Import the organisations first: {', '.join(sorted(set(missing)))} not found")
    _nhs_england(auditor)
    return [(demo, _ensure_user(demo, auditor)) for demo in DEMO_USERS]


# What an administrator finds waiting on "Manage access": an invitation not yet accepted, and a request to respond
# on behalf of their organisation.
DEMO_INVITATION = {"email": "new.responder@r0a.demo.invalid", "full_name": "Nia Newstarter", "ods_code": "R0A"}
DEMO_ACCESS_REQUEST = {
    "requester": "responder@0df.demo.invalid",
    "ods_code": "R0A",
    "reason": (
        "We are the commissioning support unit that runs R0A's IT service desk, under agreement ref 0DF-IT-2024-07."
    ),
}


@dataclass(frozen=True)
class DemoAccess:
    invitation_url: str | None  # the new invitation's link (only shown when it is created: its token is not kept)
    access_request_created: bool


@transaction.atomic
def seed_demo_access(*, auditor: Auditor) -> DemoAccess:
    """A pending invitation and a pending access request for R0A, unless there has ever been one: safe to rerun."""
    organisation = Organisation.objects.get(ods_code=DEMO_INVITATION["ods_code"])
    administrator = User.objects.get(email="admin@r0a.demo.invalid")
    invitation_url = None
    email = DEMO_INVITATION["email"]
    if not (
        User.objects.filter(email=email).exists()
        or Invitation.objects.filter(email=email, organisation=organisation).exists()
    ):
        sent = invitation_send(
            email=email,
            full_name=DEMO_INVITATION["full_name"],
            organisation=organisation,
            role=Role.RESPONDER,
            invited_by=administrator,
            auditor=auditor,
            notify=False,
        )
        invitation_url = f"{settings.SITE_URL}{reverse('access:accept_invitation', args=[sent.token])}"
    requester = User.objects.get(email=DEMO_ACCESS_REQUEST["requester"])
    target = Organisation.objects.get(ods_code=DEMO_ACCESS_REQUEST["ods_code"])
    created = not (
        AccessRequest.objects.filter(requester=requester, organisation=target).exists()
        or Membership.objects.filter(user=requester, organisation=target).exists()
    )
    if created:
        access_request_create(
            requester=requester,
            organisation=target,
            reason=DEMO_ACCESS_REQUEST["reason"],
            auditor=auditor,
            notify=False,
        )
    return DemoAccess(invitation_url=invitation_url, access_request_created=created)
