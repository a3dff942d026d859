from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from respond.organisations.models import Organisation, OrganisationType, Region
from respond.organisations.source_files import SourceFile

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        clean_one = super().clean
        return [clean_one(file, initial) for file in files]


def _check_size(file: UploadedFile) -> None:
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(f"{file.name} is larger than 10 MB", code="too_large")


def _source(file: UploadedFile) -> SourceFile:
    return SourceFile(name=file.name or "upload", content=file.read())


class OdsImportForm(forms.Form):
    # Empty files are let through so that the import names them in its error.
    ods_files = MultipleFileField(
        label="ODS files",
        allow_empty_file=True,
        error_messages={"required": "Choose one or more ODS files to import"},
    )

    def clean_ods_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["ods_files"]
        for file in files:
            _check_size(file)
        return files

    def source_files(self) -> list[SourceFile]:
        return [_source(file) for file in self.cleaned_data["ods_files"]]


class MandatedImportForm(forms.Form):
    mandated_list = forms.FileField(
        label="List of organisations that must respond",
        allow_empty_file=True,
        error_messages={"required": "Choose the list of organisations that must respond"},
    )

    def clean_mandated_list(self) -> UploadedFile:
        file: UploadedFile = self.cleaned_data["mandated_list"]
        _check_size(file)
        return file

    def source_file(self) -> SourceFile:
        return _source(self.cleaned_data["mandated_list"])


class OrganisationFilterForm(forms.Form):
    """The organisations list's search and filters. Values that do not validate are ignored."""

    q = forms.CharField(label="Name or ODS code", required=False, max_length=200)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *OrganisationType.choices])
    region = forms.ChoiceField(label="Region", required=False)
    mandated = forms.ChoiceField(
        label="Must respond to high-severity alerts",
        required=False,
        choices=[("", "All organisations"), ("yes", "Yes"), ("no", "No")],
    )
    closed = forms.BooleanField(label="Include closed organisations", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [(region.code, region.name) for region in Region.objects.order_by("name")]
        self.fields["region"].choices = [("", "All regions"), *regions]  # type: ignore[attr-defined]

    def filter(self, organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
        self.is_valid()
        data = self.cleaned_data
        organisations = organisations.search(data.get("q") or "")  # type: ignore[attr-defined]
        if data.get("type"):
            organisations = organisations.filter(organisation_type=data["type"])
        if data.get("region"):
            organisations = organisations.filter(region__code=data["region"])
        if data.get("mandated"):
            organisations = organisations.filter(mandated=data["mandated"] == "yes")
        if not data.get("closed"):
            organisations = organisations.filter(active=True)
        return organisations
