"""Generated input for the response forms: update, acknowledge and bulk response, through the views."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from respond.core.audit import Auditor
from respond.publication import services as publication
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import NotApplicableReason, Response, ResponseStatus
from tests.fuzz.forms import date_parts, merged, real_date, text_or_plain
from tests.fuzz.harness import example, page_text, submit
from tests.fuzz.strategies import budget, field_value, plain_text
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db

STATUSES = [status.value for status in ResponseStatus]
TEXT_ANSWERS = ("actions", "completion_summary", "not_applicable_detail", "unable_reason", "mitigations", "risk_owner")
DATE_ANSWERS = ("expected_completion_on", "next_update_due_on", "completed_on", "review_on")

answers = st.fixed_dictionaries(
    {
        "status": field_value(*STATUSES, "acknowledge"),
        "not_applicable_reason": field_value(*NotApplicableReason.values),
        **dict.fromkeys(TEXT_ANSWERS, text_or_plain),
    }
)
dates = st.tuples(*(date_parts(name) for name in DATE_ANSWERS)).map(lambda parts: merged(*parts))

# Complete answers for a status, with text as a person could type it: most of these are accepted.
_VALID = {
    ResponseStatus.IN_PROGRESS: [
        ("actions", plain_text),
        real_date("expected_completion_on", 0, 300),
        real_date("next_update_due_on", 0, 30),
    ],
    ResponseStatus.COMPLETE: [real_date("completed_on", -300, 0), ("completion_summary", plain_text)],
    ResponseStatus.NOT_APPLICABLE: [
        ("not_applicable_reason", st.sampled_from(NotApplicableReason.values)),
        ("not_applicable_detail", plain_text),
    ],
    ResponseStatus.UNABLE_TO_IMPLEMENT: [
        ("unable_reason", plain_text),
        ("mitigations", plain_text),
        ("risk_owner", plain_text),
        real_date("review_on", 1, 366),
    ],
}


def _complete(status: str) -> st.SearchStrategy[dict[str, str]]:
    parts = [
        part if isinstance(part, st.SearchStrategy) else part[1].map(lambda value, name=part[0]: {name: value})
        for part in _VALID[status]
    ]
    return st.tuples(*parts).map(lambda each: merged({"status": status}, *each))


complete_answers = st.sampled_from(list(_VALID)).flatmap(_complete)
# Anything at all, or complete answers for a status (most of them valid).
any_answers = st.one_of(st.tuples(answers, dates).map(lambda pair: merged(*pair)), complete_answers)


@pytest.fixture
def responding(trust_a, trust_b, bob, signed_in):
    alert = make_alert(organisations=[trust_a, trust_b])
    client = signed_in(bob)
    return client, Response.objects.get(alert=alert, organisation=trust_a)


def _shown_answers(data: dict) -> list[str]:
    """The text answers of the chosen status, as a person typed them, trimmed."""
    answers = Answers.from_data(data).only_for(data["status"])
    return [getattr(answers, name) for name in TEXT_ANSWERS if getattr(answers, name)]


@budget
@given(data=any_answers, stale=st.booleans())
def test_updating_a_response(responding, data, stale):
    client, response = responding
    with example():
        url = f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/update/"
        form = {**data, "version": response.version + (7 if stale else 0)}
        outcome = submit(client, url, form)
        if outcome.valid:
            shown = page_text(client.get(outcome.location))
            for answer in _shown_answers(data):
                assert answer in shown


@budget
@given(dates=date_parts("next_update_due_on"), version=field_value("0", "-1", "1"))
def test_acknowledging_a_response(responding, dates, version):
    client, response = responding
    with example():
        url = f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/acknowledge/"
        outcome = submit(client, url, {**dates, "version": version})
        if outcome.valid:
            response.refresh_from_db()
            assert response.is_acknowledged


@pytest.fixture
def bulk(trust_a, trust_b, as_lead_responder):
    alert = make_alert(organisations=[trust_a, trust_b])
    return as_lead_responder, alert, [trust_a.pk, trust_b.pk]


@budget
@given(
    data=any_answers,
    chosen=st.lists(st.one_of(st.sampled_from(["a", "b"]), field_value("0", "-1")), max_size=3),
    step=field_value("preview", "confirm", "change"),
)
def test_responding_in_bulk(bulk, data, chosen, step):
    client, alert, organisation_ids = bulk
    organisations = [
        str(organisation_ids[0]) if each == "a" else str(organisation_ids[1]) if each == "b" else each
        for each in chosen
    ]
    with example():
        form = {**data, "organisations": organisations, "step": step}
        outcome = submit(client, f"/responses/{alert.threat_id}/bulk/", form, accepted=(200, 302))
        if outcome.valid and outcome.response.status_code == 302:
            for response in Response.objects.filter(alert=alert, organisation_id__in=organisations):
                shown = page_text(client.get(response.get_absolute_url()))
                for answer in _shown_answers(data):
                    assert answer in shown


@pytest.fixture
def owing_reacknowledgement(responding, bob, csoc):
    """Bob's organisation acknowledged; then CSOC added an update that asks it to acknowledge the alert again."""
    client, response = responding
    services.response_acknowledge(response=response, user=bob, version=response.version, auditor=Auditor.for_user(bob))
    publication.threat_update_add(
        alert=response.alert, text="A patch is out.", requires_reacknowledgement=True, added_by=csoc,
        auditor=Auditor.for_user(csoc),
    )  # fmt: skip
    response.refresh_from_db()
    assert response.owes_reacknowledgement
    return client, response


@budget
@given(version=field_value("0", "1", "2", "-1", "99"), acknowledging=field_value("update", ""))
def test_acknowledging_an_update(owing_reacknowledgement, version, acknowledging):
    client, response = owing_reacknowledgement
    with example():
        url = f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/acknowledge/"
        outcome = submit(client, url, {"version": version, "acknowledging": acknowledging})
        if outcome.valid:
            response.refresh_from_db()
            assert not response.owes_reacknowledgement
