from django import forms
from django.http import QueryDict


class ChaseForm(forms.Form):
    """The organisations ticked on the chase page; only those on the list now can be chosen."""

    organisations = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": "Select the organisations to chase",
            "invalid_choice": "An organisation you selected no longer needs chasing: select from the list again",
        },
    )

    def __init__(self, data: QueryDict | None = None, *, organisation_ids: list[int]) -> None:
        # auto_id "%s": the error summary links to #organisations, the first checkbox on the page.
        super().__init__(data, auto_id="%s")
        self.fields["organisations"].choices = [(pk, pk) for pk in organisation_ids]  # type: ignore[attr-defined]
