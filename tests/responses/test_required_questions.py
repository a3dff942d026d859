"""Each status asks its own follow-up questions; what is missing or wrong gets a specific error, through the
service and on the page (error summary, "Error: " in the title, and the answers kept)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from respond.core.audit import Auditor
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import ResponseStatus
from tests.responses.conftest import response_of

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


REQUIRED = {
    ResponseStatus.IN_PROGRESS: {
        "actions": "Enter the actions you are taking",
        "expected_completion_on": "Enter the date you expect to complete remediation",
        "next_update_due_on": "Enter the date of your next update",
    },
    ResponseStatus.COMPLETE: {
        "completed_on": "Enter the date remediation was completed",
        "completion_summary": "Enter a summary of what was done",
    },
    ResponseStatus.NOT_APPLICABLE: {
        "not_applicable_reason": "Select why the alert does not apply to your organisation",
    },
    ResponseStatus.UNABLE_TO_IMPLEMENT: {
        "unable_reason": "Enter why you are unable to implement the remediation",
        "mitigations": "Enter the compensating controls or mitigations in place, or say there are none",
        "risk_owner": "Enter the name and role of the person who accepted the risk",
        "review_on": "Enter the date the exception will be reviewed",
    },
}


def submit(response, user, status, **answers):
    return services.response_update(
        response=response,
        user=user,
        version=response.version,
        status=status,
        answers=Answers(**answers),
        auditor=Auditor.for_user(user),
    )


@pytest.mark.parametrize("status", list(REQUIRED))
def test_each_status_needs_its_own_answers(alert, trust_a, bob, status):
    response = response_of(alert, trust_a)
    with pytest.raises(ValidationError) as error:
        submit(response, bob, status)
    assert error.value.message_dict == {name: [message] for name, message in REQUIRED[status].items()}
    assert not response.entries.exists()


def test_a_status_is_needed(alert, trust_a, bob):
    with pytest.raises(ValidationError) as error:
        submit(response_of(alert, trust_a), bob, "fixed")
    assert error.value.message_dict == {"status": ["Select the status of your remediation"]}


def test_another_reason_needs_telling_more(alert, trust_a, bob):
    with pytest.raises(ValidationError) as error:
        submit(response_of(alert, trust_a), bob, ResponseStatus.NOT_APPLICABLE, not_applicable_reason="other")
    assert error.value.message_dict == {
        "not_applicable_detail": ["Enter why the alert does not apply to your organisation"]
    }


@pytest.mark.parametrize(
    ("status", "answers", "field", "message"),
    [
        (
            ResponseStatus.IN_PROGRESS,
            {"actions": "Patching", "expected_completion_on": -1, "next_update_due_on": 1},
            "expected_completion_on",
            "Expected completion date must be today or in the future",
        ),
        (
            ResponseStatus.IN_PROGRESS,
            {"actions": "Patching", "expected_completion_on": 1, "next_update_due_on": -1},
            "next_update_due_on",
            "Date of your next update must be today or in the future",
        ),
        (
            ResponseStatus.COMPLETE,
            {"completed_on": 1, "completion_summary": "Done"},
            "completed_on",
            "Date remediation was completed must be today or in the past",
        ),
        (
            ResponseStatus.UNABLE_TO_IMPLEMENT,
            {"unable_reason": "No fix", "mitigations": "None", "risk_owner": "SIRO", "review_on": 0},
            "review_on",
            "Review date must be in the future",
        ),
    ],
)
def test_dates_must_make_sense(alert, trust_a, bob, status, answers, field, message):
    answers = {
        name: today() + timedelta(days=value) if isinstance(value, int) else value for name, value in answers.items()
    }
    with pytest.raises(ValidationError) as error:
        submit(response_of(alert, trust_a), bob, status, **answers)
    assert error.value.message_dict == {field: [message]}


def test_an_exception_is_reviewed_within_a_year(alert, trust_a, bob):
    with pytest.raises(ValidationError) as error:
        submit(
            response_of(alert, trust_a),
            bob,
            ResponseStatus.UNABLE_TO_IMPLEMENT,
            unable_reason="No fix",
            mitigations="None",
            risk_owner="SIRO",
            review_on=today() + timedelta(days=400),
        )
    assert "an accepted risk is reviewed at least once a year" in error.value.message_dict["review_on"][0]


def test_overlong_answers_are_refused(alert, trust_a, bob):
    with pytest.raises(ValidationError) as error:
        submit(
            response_of(alert, trust_a),
            bob,
            ResponseStatus.COMPLETE,
            completed_on=today(),
            completion_summary="x" * 5001,
        )
    assert error.value.message_dict == {
        "completion_summary": ["Summary of what was done: your answer must be 5,000 characters or fewer"]
    }


# The page ---------------------------------------------------------------------------------------------------------


def page_url(alert, ods_code="RAA", action="update"):
    return f"/responses/{alert.threat_id}/{ods_code}/{action}/"


@pytest.mark.parametrize("status", list(REQUIRED))
def test_the_page_lists_what_is_missing(signed_in, alert, trust_a, bob, status):
    response = response_of(alert, trust_a)
    page = signed_in(bob).post(page_url(alert), {"version": response.version, "status": status})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    for message in REQUIRED[status].values():
        assert message.replace("'", "&#39;") in html
    assert not response.entries.exists()


def test_the_page_asks_for_a_status(signed_in, alert, trust_a, bob):
    page = signed_in(bob).post(page_url(alert), {"version": 0})
    assert "Select the status of your remediation" in page.content.decode()


def test_the_page_keeps_what_was_typed_and_explains_a_bad_date(signed_in, alert, trust_a, bob):
    page = signed_in(bob).post(
        page_url(alert),
        {
            "version": 0,
            "status": "in_progress",
            "actions": "Testing the patch on the staging broker",
            "expected_completion_on_day": "31",
            "expected_completion_on_month": "2",
            "expected_completion_on_year": str(today().year + 1),
            "next_update_due_on_day": "1",
            "next_update_due_on_month": "1",
        },
    )
    html = page.content.decode()
    assert "Testing the patch on the staging broker" in html
    assert "Expected completion date must be a real date" in html
    assert "Date of your next update must include a year" in html


def test_the_page_saves_a_complete_answer(signed_in, alert, trust_a, bob):
    page = signed_in(bob).post(
        page_url(alert),
        {
            "version": 0,
            "status": "not_applicable",
            "not_applicable_reason": "other",
            "not_applicable_detail": "We replaced the product last year",
            # A question of another status, typed then abandoned: not saved.
            "actions": "Ignore me",
        },
    )
    assert page.status_code == 302
    entry = response_of(alert, trust_a).entries.get()
    assert (entry.status, entry.not_applicable_detail, entry.actions) == (
        ResponseStatus.NOT_APPLICABLE,
        "We replaced the product last year",
        "",
    )
