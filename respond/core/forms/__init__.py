"""NHS.UK form components for Django forms.

Writing a form
--------------
Subclass `NhsukForm` (or `NhsukModelForm`) and use the fields below; any plain Django field in such a form
renders too (its `help_text` becomes the hint).

    from respond.core.forms import DateField, NhsukForm, RadioField, TextareaField

    class ResponseForm(NhsukForm):
        status = RadioField(
            label="Have you implemented the fix?",
            choices=[("implemented", "Yes, it is implemented"), ("unable", "Unable to implement")],
            reveals={"unable": ["reason"]},  # choosing "unable" shows "reason", and only then requires it
            error_messages={"required": "Select whether you have implemented the fix"},
        )
        reason = TextareaField(label="Why?", error_messages={"required": "Enter why you cannot implement it"})
        implemented_on = DateField(label="Date implemented", subject="Date implemented",
                                   max_date=timezone.localdate, required=False)

Fields: `CharField` (text input), `TextareaField`, `RadioField` and `CheckboxesField` (with `reveals` and
`choice_hints`), `SelectField`, `DateField` (day/month/year, cleans to a date, errors such as "Date must
be a real date" or "Date must include a year"), `FileField` (`allowed_extensions`, `max_size`). A field
named in `reveals` is cleaned to empty, so never saved, unless its choice is selected. Give every required
field a specific `error_messages={"required": ...}`, as the NHS service manual asks.

Rendering a form in a Jinja2 template
-------------------------------------
    {{ form.status.as_nhsuk(label_size="m") }}    one field; "reason" renders inside its "unable" choice,
                                                  so never render a revealed field on its own
    {{ form.as_nhsuk() }}                         every field, in order, with default options

Options for `as_nhsuk()`: label, label_size ("s", "m", "l", "xl"), is_page_heading, hint, classes,
width (2, 3, 4, 5, 10, 20, 30: text inputs), inline and small (radios), rows (textarea), autocomplete,
attributes (a dict of extra HTML attributes; {"type": "search"} changes a text input's type).
Each field shows its label or legend, hint and error message (with the visually hidden "Error:"), and
keeps what the person submitted when the form fails (except a file, which browsers never allow).

Error summary and page title
----------------------------
layout.html shows the error summary, and starts the page title with "Error: ", when any form it knows of
has errors. It knows a context variable called `form`, every form in a list called `forms`, and a form
called `error_form`. For a form under another name, set one of these at the top of the page template:

    {% extends "layout.html" %}
    {% set error_form = filter_form %}

The summary links each error to its field's first input: the first radio or checkbox, or a date's day box.
"""

from respond.core.forms.audit import AuditLogFilterForm
from respond.core.forms.base import NhsukForm, NhsukFormMixin, NhsukModelForm
from respond.core.forms.fields import (
    CharField,
    CheckboxesField,
    DateField,
    FileField,
    RadioField,
    SelectField,
    TextareaField,
)
from respond.core.forms.rendering import NhsukBoundField
from respond.core.forms.widgets import DateInputWidget

__all__ = [
    "AuditLogFilterForm",
    "CharField",
    "CheckboxesField",
    "DateField",
    "DateInputWidget",
    "FileField",
    "NhsukBoundField",
    "NhsukForm",
    "NhsukFormMixin",
    "NhsukModelForm",
    "RadioField",
    "SelectField",
    "TextareaField",
]
