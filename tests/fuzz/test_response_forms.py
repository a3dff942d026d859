"""Generated input for the response forms: update, acknowledge and bulk response, through the views."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from respond.core.audit import Auditor
from respond.publication import services as publication
from respond.responses import services
from respond.responses.answers import SHORT_TEXT_LIMIT, TEXT_LIMIT, Answers
from respond.responses.models import NotApplicableReason, Response, ResponseStatus
from tests.fuzz.forms import date_parts, merged, real_date, text_or_plain
from tests.fuzz.harness import assert_shown, example, hidden_fields, page_text, shown_after, submit
from tests.fuzz.strategies import accepted_text, budget, field_value, submissions
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
# The version a form carries: the response's own ("current"), one it never had ("stale"), or anything.
versions = field_value("current", "stale", "-1")

# Complete answers for a status, with awkward text the form accepts: most of these are accepted.
_VALID = {
    ResponseStatus.IN_PROGRESS: [
        ("actions", accepted_text(TEXT_LIMIT)),
        real_date("expected_completion_on", 0, 300),
        real_date("next_update_due_on", 0, 30),
    ],
    ResponseStatus.COMPLETE: [real_date("completed_on", -300, 0), ("completion_summary", accepted_text(TEXT_LIMIT))],
    ResponseStatus.NOT_APPLICABLE: [
        ("not_applicable_reason", st.sampled_from(NotApplicableReason.values)),
        ("not_applicable_detail", accepted_text(TEXT_LIMIT)),
    ],
    ResponseStatus.UNABLE_TO_IMPLEMENT: [
        ("unable_reason", accepted_text(TEXT_LIMIT)),
        ("mitigations", accepted_text(TEXT_LIMIT)),
        ("risk_owner", accepted_text(SHORT_TEXT_LIMIT)),
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
anything = {"answers": st.tuples(answers, dates).map(lambda pair: merged(*pair)), "version": versions}
updates = submissions(st.fixed_dictionaries({"answers": complete_answers, "version": st.just("current")}), anything)


def _form(data: dict, response: Response) -> dict:
    """The form a person sends: the answers, any stray fields, and the version (the response's own if current)."""
    version = {"current": response.version, "stale": response.version + 7}.get(data["version"], data["version"])
    strays = {name: value for name, value in data.items() if name not in ("answers", "version")}
    return {**strays, **data["answers"], "version": version}


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
@given(data=updates)
def test_updating_a_response(responding, data):
    client, response = responding
    with example():
        url = f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/update/"
        outcome = submit(client, url, _form(data, response))
        if outcome.valid:
            shown_after(client, outcome, *_shown_answers(data["answers"]))


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {"answers": st.one_of(real_date("next_update_due_on", 0, 60), st.just({})), "version": st.just("current")}
        ),
        {"answers": date_parts("next_update_due_on"), "version": versions},
    )
)
def test_acknowledging_a_response(responding, data):
    client, response = responding
    with example():
        url = f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/acknowledge/"
        outcome = submit(client, url, _form(data, response))
        if outcome.valid:  # read afresh: the fixture's object keeps the version each example starts from
            assert Response.objects.get(pk=response.pk).is_acknowledged


@pytest.fixture
def bulk(trust_a, trust_b, as_lead_responder):
    alert = make_alert(organisations=[trust_a, trust_b])
    return as_lead_responder, alert, {"a": str(trust_a.pk), "b": str(trust_b.pk)}


# Organisations ticked: one or both of the lead's two ("a", "b"), or anything.
_ticked = st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=3)
_meant_bulk = st.fixed_dictionaries(
    {
        "answers": st.one_of(complete_answers, st.just({"status": "acknowledge"})),
        "organisations": _ticked,
        "step": st.sampled_from(["preview", "confirm"]),
    }
)
_any_bulk = {
    "answers": anything["answers"],
    "organisations": st.lists(st.one_of(st.sampled_from(["a", "b"]), field_value("0", "-1")), max_size=3),
    "step": field_value("preview", "confirm", "change"),
}


@budget
@given(data=submissions(_meant_bulk, _any_bulk))
def test_responding_in_bulk(bulk, data):
    client, alert, ids = bulk
    organisations = [ids.get(each, each) for each in data["organisations"]]
    strays = {name: value for name, value in data.items() if name not in _any_bulk}
    url = f"/responses/{alert.threat_id}/bulk/"
    with example():
        form = {**strays, **data["answers"], "organisations": organisations, "step": data["step"]}
        outcome = submit(client, url, form, accepted=(200, 302))
        if not outcome.valid or data["step"] == "change":
            return
        answers = _shown_answers(data["answers"])
        if outcome.response.status_code == 200:  # the preview: it shows the answers, and carries them to confirm
            assert_shown(page_text(outcome.response), *answers, where="the preview")
            outcome = submit(client, url, {**hidden_fields(outcome.response), "step": "confirm"})
            assert outcome.valid, "the answers carried by the preview were refused"
        assert outcome.response.status_code == 302
        for response in Response.objects.filter(alert=alert, organisation_id__in=organisations):
            assert response.is_acknowledged
            assert_shown(page_text(client.get(response.get_absolute_url())), *answers, where="the response")


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
@given(
    data=submissions(
        st.fixed_dictionaries({"version": st.just("current"), "acknowledging": st.sampled_from(["update", ""])}),
        {"version": field_value("current", "stale", "0", "2", "-1"), "acknowledging": field_value("update", "")},
    )
)
def test_acknowledging_an_update(owing_reacknowledgement, data):
    client, response = owing_reacknowledgement
    with example():
        url = f"/responses/{response.alert.threat_id}/{response.organisation.ods_code}/acknowledge/"
        outcome = submit(client, url, _form({**data, "answers": {}}, response))
        if outcome.valid:
            assert not Response.objects.get(pk=response.pk).owes_reacknowledgement
