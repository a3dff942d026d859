from django import forms
from django.db.models import QuerySet

from respond.core.models import AuditLog


class AuditLogFilterForm(forms.Form):
    actor = forms.CharField(label="Who (email or job)", required=False)
    action = forms.CharField(label="Action", required=False)
    object_type = forms.CharField(label="Object type", required=False)
    date_from = forms.DateField(label="From (YYYY-MM-DD)", required=False)
    date_to = forms.DateField(label="To (YYYY-MM-DD)", required=False)

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
