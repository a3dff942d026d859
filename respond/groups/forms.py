"""Group forms: they parse what people typed; the services check the rules and name every problem."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from respond.accounts.models import User
from respond.alerts.models import Alert
from respond.core.forms import CharField, CheckboxesField, NhsukForm, RadioField, SelectField, TextareaField
from respond.core.forms.fields import FileField
from respond.groups.files import allowed_extensions, allowed_types_text, size_text
from respond.groups.models import GROUP_DEFAULT_MARKINGS, Digest, Marking, MemberRole
from respond.organisations.models import OrganisationType, Region

MARKDOWN_HINT = "You can use Markdown: **bold**, lists, links starting https://, and `code`."


def show_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: each message on its field, or above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item.messages)
    else:
        form.add_error(None, error.messages)


class GroupOpenForm(NhsukForm):
    name = CharField(
        label="Name of the group",
        max_length=120,
        hint="Members see this name in emails and text messages, so say nothing sensitive in it",
        error_messages={"required": "Enter the group's name"},
    )
    purpose = TextareaField(
        label="Purpose", hint=MARKDOWN_HINT, error_messages={"required": "Enter the group's purpose"}
    )
    alerts = CheckboxesField(label="Alerts it is about", required=False, hint="Optional")
    default_marking = RadioField(
        label="Default TLP marking of posts",
        choices=[(value, Marking(value).label) for value in GROUP_DEFAULT_MARKINGS],
        error_messages={"required": "Select the default TLP marking"},
    )
    moderators = CheckboxesField(
        label="Other moderators", required=False, hint="CSOC staff who can invite, remove, pin and mark posts urgent"
    )

    def __init__(self, *args: Any, alerts: QuerySet[Alert], csoc_staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alerts"].choices = [  # type: ignore[attr-defined]
            (str(alert.pk), f"{alert.threat_id}: {alert.title}" + (" (major incident)" if alert.major_incident else ""))
            for alert in alerts
        ]
        self.fields["moderators"].choices = [(str(u.pk), u.display_name) for u in csoc_staff]  # type: ignore[attr-defined]


class InviteForm(NhsukForm):
    """Named people, the administrators of organisations (from an alert's scope, by region or type, or pasted
    ODS codes), or someone without an account yet."""

    users = TextareaField(
        label="People, by email address",
        required=False,
        hint="Registered users of the service, one email address a line",
    )
    alert = SelectField(label="Administrators of the organisations an alert applies to", required=False)
    regions = CheckboxesField(label="Only in these regions", required=False)
    organisation_types = CheckboxesField(label="Only of these types", required=False, choices=OrganisationType.choices)
    ods_codes = TextareaField(
        label="Administrators of these organisations, by ODS code",
        required=False,
        hint="One ODS code a line, or separated by commas",
    )
    new_email = CharField(label="Email address", required=False, max_length=254)
    new_full_name = CharField(label="Full name", required=False, max_length=200)
    new_ods_code = CharField(label="ODS code of their organisation", required=False, max_length=10)

    def __init__(self, *args: Any, alerts: QuerySet[Alert], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alert"].choices = [("", "None")] + [  # type: ignore[attr-defined]
            (str(alert.pk), f"{alert.threat_id}: {alert.title}") for alert in alerts
        ]
        self.fields["regions"].choices = [(r.code, r.name) for r in Region.objects.all()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = (
            data.get("users", "").strip()
            or data.get("alert")
            or data.get("regions")
            or data.get("organisation_types")
            or data.get("ods_codes", "").strip()
            or data.get("new_email", "").strip()
        )
        if not chosen:
            raise ValidationError("Choose who to invite: people, organisations, or an email address")
        return data


class AnswerForm(NhsukForm):
    answer = RadioField(
        label="Do you want to join this group?",
        choices=[("accept", "Yes, join the group"), ("decline", "No, decline the invitation")],
        error_messages={"required": "Select whether you want to join the group"},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(FileField):
    """Any number of files: each is checked by the service (type, size, contents), which names every problem."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        return [item for item in (data if isinstance(data, list | tuple) else [data]) if item]


def _files_hint() -> str:
    return f"Up to 5 files: {allowed_types_text()}, each smaller than {size_text(_max_bytes())}"


def _max_bytes() -> int:
    return int(settings.GROUP_FILE_MAX_BYTES)


class PostForm(NhsukForm):
    title = CharField(label="Title", max_length=200, required=False)
    body = TextareaField(label="Post", required=False, hint=MARKDOWN_HINT)
    marking = RadioField(label="TLP marking", choices=Marking.choices, required=False)
    indicators = TextareaField(
        label="Indicators of compromise",
        required=False,
        hint="Optional. IP addresses, domains, URLs or MD5, SHA-1 or SHA-256 hashes, one a line",
    )
    attachments = FilesField(label="Attach files", required=False)

    def __init__(self, *args: Any, is_reply: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _files_hint()
        self.fields["attachments"].allowed_extensions = allowed_extensions()  # type: ignore[attr-defined]
        if is_reply:
            del self.fields["title"]
            self.fields["body"].label = "Your reply"


class EditPostForm(NhsukForm):
    title = CharField(label="Title", max_length=200, required=False)
    body = TextareaField(label="Post", required=False, hint=MARKDOWN_HINT)
    marking = RadioField(label="TLP marking", choices=Marking.choices, required=False)

    def __init__(self, *args: Any, is_reply: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_reply:
            del self.fields["title"]


class DigestForm(NhsukForm):
    digest = RadioField(
        label="How do you want to hear about new posts?",
        choices=Digest.choices,
        error_messages={"required": "Select how often to be emailed"},
    )


class RoleForm(NhsukForm):
    role = RadioField(label="Role", choices=MemberRole.choices, error_messages={"required": "Select a role"})
