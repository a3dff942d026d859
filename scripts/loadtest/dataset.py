"""The load test's data: the reports benchmark's national-scale data set (scripts/benchreports), the people of a
major incident (RECIPIENTS with an email address and an opted-in mobile, in a region of their own), an approved
major-incident alert to them, and signed-in sessions (for the plan of locust's people, scripts/loadtest/plan.py)."""

MAJOR_INCIDENT_REGION = "LOAD"


def build_people(count: int) -> None:
    """`count` people in organisations of a region of their own, each with an email address and a mobile number
    opted in to texts, and two CSOC staff (author@ and approver@csoc.load.nhs.uk)."""
    from respond.accounts.models import GlobalRole, Membership, Role, User
    from respond.notifications.models import UserContactDetails
    from respond.organisations.models import Organisation, OrganisationType, Region

    region = Region.objects.create(code=MAJOR_INCIDENT_REGION, name="Load test region")
    per_organisation = 100
    organisations = Organisation.objects.bulk_create(
        Organisation(
            ods_code=f"L{n:04d}",
            name=f"Load Test Hospitals NHS Trust {n}",
            organisation_type=OrganisationType.NHS_TRUST,
            region=region,
            mandated=True,
        )
        for n in range((count + per_organisation - 1) // per_organisation)
    )
    people = User.objects.bulk_create(
        (User(email=f"person{n}@load.nhs.uk", full_name=f"Person {n}", password="!") for n in range(count)),
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        (
            Membership(user=user, organisation=organisations[n // per_organisation], role=Role.RESPONDER)
            for n, user in enumerate(people)
        ),
        batch_size=2000,
    )
    UserContactDetails.objects.bulk_create(
        (
            UserContactDetails(user=user, mobile_number=f"+4477009{n:05d}", sms_opt_in=True)
            for n, user in enumerate(people)
        ),
        batch_size=2000,
    )
    User.objects.create(email="author@csoc.load.nhs.uk", full_name="Author", global_role=GlobalRole.CSOC)
    User.objects.create(email="approver@csoc.load.nhs.uk", full_name="Approver", global_role=GlobalRole.CSOC)


def approved_major_incident(title: str) -> int:
    """A major-incident alert (email and SMS) to everyone build_people made, approved and ready to publish."""
    return approved_alert(title, major_incident=True)


def approved_alert(title: str, *, major_incident: bool) -> int:
    """An alert to everyone build_people made (by email, and by text too for a major incident), approved."""
    from respond.accounts.models import User
    from respond.alerts import services
    from respond.alerts.content import AlertContent
    from respond.core.audit import Auditor
    from respond.organisations.models import Region

    author = User.objects.get(email="author@csoc.load.nhs.uk")
    approver = User.objects.get(email="approver@csoc.load.nhs.uk")
    auditor = Auditor.system("load test")
    content = AlertContent(
        title=title,
        severity="high",
        tlp="clear",
        short_summary="Isolate affected systems and patch now.",
        summary="A worm is spreading between NHS organisations.",
        major_incident=major_incident,
    )
    alert = services.alert_create(content=content, created_by=author, auditor=auditor)
    alert.scope_regions.set([Region.objects.get(code=MAJOR_INCIDENT_REGION)])
    services.alert_submit_for_approval(alert=alert, submitted_by=author, auditor=auditor)
    services.alert_approve(alert=alert, approved_by=approver, auditor=auditor)
    return alert.pk


def publish_over_http(web_url: str, alert_id: int) -> float:
    """CSOC publishes the approved alert through its "check and publish" page, signed in; returns the POST's ms."""
    import time

    import requests
    from django.conf import settings

    from respond.accounts.models import User
    from tests.support.http_sign_in import csrf_token

    browser = requests.Session()
    author = User.objects.get(email="author@csoc.load.nhs.uk")
    browser.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie(author.pk))
    url = f"{web_url}/csoc/alerts/{alert_id}/publish/"
    page = browser.get(url, timeout=60)
    started = time.perf_counter()
    answer = browser.post(
        url,
        data={"csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": url},
        timeout=120,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"Publishing failed: {answer.status_code}\n{answer.text[:2000]}")
    return (time.perf_counter() - started) * 1000


def session_cookie(user_id: int) -> str:
    """A signed-in, multi-factor session in the database, as a browser would hold after signing in."""
    from benchreports.pages import signed_in_client
    from django.conf import settings

    return signed_in_client(user_id).cookies[settings.SESSION_COOKIE_NAME].value
