"""The load test's plan: for each kind of person locust plays (scripts/loadtest/mix.py), their own signed-in
sessions, API tokens and what each may open and answer, made in the generated data set before the processes start.

Each person answers for organisations nobody else in the test answers for: responders, administrators, group
members and API users each have an organisation of their own; the lead organisation's organisations are split
between its bulk responses through the forms and its integration's bulk responses through the API. Each responder
also administers an organisation of the major incident's region, to acknowledge the incident once published (so
the incident reaches RECIPIENTS people and these responders)."""

import random
from typing import Any

from loadtest.dataset import MAJOR_INCIDENT_REGION, session_cookie
from loadtest.mix import most_people

OPEN_ALERTS_EACH = 5


def plan_people(users: int, rng: random.Random, *, major_incident_id: int) -> dict[str, Any]:
    from respond.accounts.models import GlobalRole, Membership, Role, User
    from respond.alerts.models import Alert, AlertStatus, Tlp
    from respond.responses.models import Response

    open_responses = Response.objects.filter(alert__status=AlertStatus.PUBLISHED, alert__response_required=True)
    lead = User.objects.get(email="lead@bench.invalid")
    lead_organisations = sorted(Membership.objects.filter(user=lead).values_list("organisation_id", flat=True))
    candidates = list(
        open_responses.exclude(organisation_id__in=lead_organisations)
        .values_list("organisation_id", flat=True)
        .distinct()
        .order_by("organisation_id")
    )
    rng.shuffle(candidates)
    admins = dict(
        Membership.objects.filter(organisation_id__in=candidates, role=Role.ADMINISTRATOR).values_list(
            "organisation_id", "user_id"
        )
    )
    pool = iter([organisation_id for organisation_id in candidates if organisation_id in admins])

    def organisations(kind: str) -> list[tuple[int, int, str]]:
        """(organisation, its administrator, ODS code) for each person of the kind, each their own."""
        from respond.organisations.models import Organisation

        chosen = [organisation_id for _, organisation_id in zip(range(most_people(kind, users)), pool, strict=False)]
        codes = dict(Organisation.objects.filter(pk__in=chosen).values_list("pk", "ods_code"))
        return [(organisation_id, admins[organisation_id], codes[organisation_id]) for organisation_id in chosen]

    def alerts_of(organisation_id: int) -> list[str]:
        rows = open_responses.filter(organisation_id=organisation_id).order_by("alert_id")
        return list(rows.values_list("alert__threat_id", flat=True)[:OPEN_ALERTS_EACH])

    people: dict[str, list[dict[str, Any]]] = {
        "responder": [
            {
                "cookie": session_cookie(user_id),
                "ods_code": ods_code,
                "alerts": alerts_of(organisation_id),
                "incident_ods_code": incident_organisation(n, user_id),
            }
            for n, (organisation_id, user_id, ods_code) in enumerate(organisations("responder"))
        ],
        "administrator": [
            {"cookie": session_cookie(user_id), "ods_code": ods_code}
            for _, user_id, ods_code in organisations("administrator")
        ],
        "api": [
            {"token": api_token(user_id, [organisation_id]), "ods_code": ods_code, "alerts": alerts_of(organisation_id)}
            for organisation_id, user_id, ods_code in organisations("api")
        ],
    }
    people["group_member"] = group_members(organisations("group_member"))
    published = list(
        open_responses.values_list("alert__threat_id", flat=True).distinct().order_by("alert__threat_id")[:200]
    )
    people.update(lead_people(lead, lead_organisations, open_responses))
    auditor = User.objects.get(global_role=GlobalRole.AUDITOR, email="auditor@bench.invalid")
    people["auditor"] = [
        {"cookie": session_cookie(auditor.pk), "alerts": published, "token": api_token(auditor.pk, [], read_only=True)}
    ]
    csoc = User.objects.get(email="csoc@bench.invalid")
    updatable = Alert.objects.filter(status=AlertStatus.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    people["csoc"] = [
        {"cookie": session_cookie(csoc.pk), "alerts": list(updatable[:20]), "major_incident": major_incident_id}
    ]
    public = Alert.objects.public().filter(tlp=Tlp.CLEAR).exclude(threat_id=None).order_by("-pk")
    people["reader"] = [{"alerts": list(public.values_list("threat_id", flat=True)[:100]) or published}]
    return people


def incident_organisation(n: int, user_id: int) -> str:
    """An organisation of the major incident's region that the responder also administers (one each, so that
    they acknowledge the incident for it, once published, without meeting another person's answer)."""
    from respond.accounts.models import Membership, Role
    from respond.organisations.models import Organisation, OrganisationType, Region

    organisation = Organisation.objects.create(
        ods_code=f"LR{n:04d}",
        name=f"Load Test Community Trust {n}",
        organisation_type=OrganisationType.NHS_TRUST,
        region=Region.objects.get(code=MAJOR_INCIDENT_REGION),
        mandated=True,
    )
    Membership.objects.create(user_id=user_id, organisation=organisation, role=Role.ADMINISTRATOR)
    return organisation.ods_code


def api_token(user_id: int, organisation_ids: list[int], *, read_only: bool = False) -> str:
    from respond.accounts.api_tokens import api_token_create
    from respond.accounts.models import ApiTokenAccess, User
    from respond.core.audit import Auditor
    from respond.organisations.models import Organisation

    _, secret = api_token_create(
        user=User.objects.get(pk=user_id),
        name="Load test integration",
        organisations=Organisation.objects.filter(pk__in=organisation_ids),
        access=ApiTokenAccess.READ if read_only else ApiTokenAccess.RESPOND,
        valid_days=30,
        auditor=Auditor.system("load test"),
    )
    return secret


def lead_people(lead: Any, organisation_ids: list[int], open_responses: Any) -> dict[str, list[dict[str, Any]]]:
    """The lead organisation's person answering in bulk through the forms for half its organisations, and its
    integration answering through the API for the other half: for alerts asking both halves."""
    from respond.organisations.models import Organisation

    through_forms, through_api = set(organisation_ids[::2]), set(organisation_ids[1::2])
    codes = dict(Organisation.objects.filter(pk__in=through_api).values_list("pk", "ods_code"))
    asked: dict[str, set[int]] = {}
    for threat_id, organisation_id in open_responses.filter(organisation_id__in=organisation_ids).values_list(
        "alert__threat_id", "organisation_id"
    ):
        asked.setdefault(threat_id, set()).add(organisation_id)
    both = {threat_id: ids for threat_id, ids in sorted(asked.items()) if ids & through_forms and ids & through_api}
    alerts = list(both)[:20]
    return {
        "lead": [
            {
                "cookie": session_cookie(lead.pk),
                "alerts": alerts,
                "organisations": [str(pk) for pk in sorted(through_forms)],
            }
        ],
        "api_bulk": [
            {
                "token": api_token(lead.pk, sorted(through_api)),
                "alerts": {
                    threat_id: sorted(codes[pk] for pk in both[threat_id] & through_api) for threat_id in alerts
                },
            }
        ],
    }


def group_members(members: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """A closed incident group, opened by CSOC, with a few posts, whose members are these organisations'
    administrators (on hourly digests: the load is theirs to make, not a flood of emails per post)."""
    from django.utils import timezone

    from respond.accounts.models import User
    from respond.core.audit import Auditor
    from respond.groups.models import Digest, GroupMember, Marking, MemberStatus, Post
    from respond.groups.services import group_open

    csoc = User.objects.get(email="csoc@bench.invalid")
    group = group_open(
        name="Load test incident group",
        purpose="Coordinating the response to the major incident.",
        alerts=[],
        default_marking=Marking.AMBER_STRICT,
        moderators=[],
        opened_by=csoc,
        auditor=Auditor.system("load test"),
    )
    people = User.objects.in_bulk([user_id for _, user_id, _ in members])
    now = timezone.now()
    GroupMember.objects.bulk_create(
        GroupMember(
            group=group,
            user=people[user_id],
            email=people[user_id].email.lower(),
            organisation_id=organisation_id,
            status=MemberStatus.ACTIVE,
            answered_at=now,
        )
        for organisation_id, user_id, _ in members
    )
    GroupMember.objects.filter(group=group).update(digest=Digest.HOURLY)
    for n in range(5):
        Post.objects.create(
            group=group,
            author=csoc,
            title=f"Situation report {n + 1}",
            body="Contained at **three** trusts; patching continues.",
            marking=Marking.AMBER_STRICT,
        )
    return [{"cookie": session_cookie(user_id), "group": group.pk} for _, user_id, _ in members]
