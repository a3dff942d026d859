"""What a response can be and what a history entry records: the statuses, their answers' choices and the entries'
actions. Below both the models and the answers to the questions each status asks, which the models read."""

from django.db import models
from markupsafe import Markup

from respond.core.components import tag


class ResponseStatus(models.TextChoices):
    NOT_ACKNOWLEDGED = "not_acknowledged", "Not yet acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    UNABLE_TO_IMPLEMENT = "unable_to_implement", "Unable to implement"


# A response with one of these statuses is closed: nothing more is owed.
CLOSED_STATUSES = (ResponseStatus.COMPLETE, ResponseStatus.NOT_APPLICABLE)
# What a person can choose when updating a response.
UPDATE_STATUSES = (
    ResponseStatus.IN_PROGRESS,
    ResponseStatus.COMPLETE,
    ResponseStatus.NOT_APPLICABLE,
    ResponseStatus.UNABLE_TO_IMPLEMENT,
)
STATUS_TAG_COLOURS = {
    ResponseStatus.NOT_ACKNOWLEDGED: "grey",
    ResponseStatus.IN_PROGRESS: "blue",
    ResponseStatus.COMPLETE: "green",
    ResponseStatus.NOT_APPLICABLE: "white",
    ResponseStatus.UNABLE_TO_IMPLEMENT: "orange",
}


def status_colour(status: str) -> str:
    return STATUS_TAG_COLOURS.get(ResponseStatus(status), "grey")


def status_tag(status: str) -> Markup:
    """A status's tag, as the responses' status_tag macro writes it, for the rows written in Python."""
    return tag({"text": ResponseStatus(status).label, "colour": status_colour(status)})


class NotApplicableReason(models.TextChoices):
    NOT_IN_USE = "not_in_use", "The affected product is not in use"
    PATCHED_BEFORE = "patched_before", "It was already patched before the alert"
    OTHER = "other", "Another reason"


class EntryAction(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UPDATED = "updated", "Status updated"
    REOPENED = "reopened", "Reopened: review date reached"
    # An update to the alert asked organisations that had acknowledged it to acknowledge it again.
    REACKNOWLEDGEMENT_REQUESTED = "reack_requested", "Alert updated: acknowledge the update"
    REACKNOWLEDGED = "reacknowledged", "Update acknowledged"


# Entries that record no new answers: the status and answers carry over from the entry before.
STATUS_KEPT_ACTIONS = (EntryAction.REACKNOWLEDGEMENT_REQUESTED, EntryAction.REACKNOWLEDGED)
