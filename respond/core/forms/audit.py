from typing import Any

from django.db.models import QuerySet

from respond.core.forms.base import NhsukForm
from respond.core.forms.fields import CharField, DateField
from respond.core.models import AuditLog


class AuditLogFilterForm(NhsukForm):
    actor = CharField(label="Who", hint="Part of an email address, or the name of a job", required=False)
    action = CharField(label="Action", hint="For example, mfa.totp_enrolled", required=False)
    object_type = CharField(label="Object type", hint="For example, organisations.Organisation", required=False)
    date_from = DateField(label="From", subject="From date", hint="For example, 27 3 2025", required=False)
    date_to = DateField(label="To", subject="To date", hint="For example, 31 3 2025", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        date_from, date_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return self.cleaned_data

    def filter(self, entries: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        data = self.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor_label__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action__icontains=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type__icontains=data["object_type"])
        if data["date_from"]:
            entries = entries.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(at__date__lte=data["date_to"])
        return entries
