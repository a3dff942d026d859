"""Who may read and submit responses. Views also scope every query (Response.objects.visible_to/respondable_by)."""

import rules

from respond.core.permissions import is_auditor, is_csoc, is_member_of


@rules.predicate
def responds_for(user, response) -> bool:  # type: ignore[no-untyped-def]
    """An administrator or responder of the response's organisation, on its behalf or not."""
    return response is not None and is_member_of(user, response.organisation)


# Object: a Response.
rules.add_perm("responses.view_response", responds_for | is_auditor | is_csoc)
rules.add_perm("responses.submit_response", responds_for)
# Object: an Organisation (its responses as CSV).
rules.add_perm("responses.download_responses", is_member_of | is_auditor | is_csoc)
