from respond.core.forms import CharField, NhsukForm


class WebhookForm(NhsukForm):
    url = CharField(
        label="Web address (URL)",
        hint="Where your ticketing system receives events, starting with https://",
        max_length=254,
        error_messages={
            "required": "Enter the web address that receives events",
            "max_length": "The web address must be 254 characters or fewer",
        },
    )
    description = CharField(
        label="Description (optional)",
        hint="For example, 'ServiceNow production'",
        required=False,
        max_length=200,
        error_messages={"max_length": "Description must be 200 characters or fewer"},
    )
