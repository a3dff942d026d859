"""What a token can reach: the scoped querysets of its owner (the same as the pages), narrowed to the
organisations the token acts for. CSOC staff and auditors read what their role reads, as on the pages."""

from django.db.models import Q
from django.http import Http404

from respond.accounts.api_tokens import TokenAuth
from respond.alerts.models import Alert, AlertQuerySet, Tlp
from respond.organisations.models import Organisation, OrganisationQuerySet
from respond.responses.models import Response, ResponseQuerySet


def reads_everything(auth: TokenAuth) -> bool:
    return auth.user.is_csoc or auth.user.is_auditor


def alerts(auth: TokenAuth) -> AlertQuerySet:
    visible = Alert.objects.visible_to(auth.user)
    if reads_everything(auth):
        return visible
    sent_to_its_organisations = Alert.organisations.through.objects.filter(organisation_id__in=auth.organisation_ids)
    return visible.filter(Q(tlp=Tlp.CLEAR) | Q(pk__in=sent_to_its_organisations.values("alert_id")))


def responses(auth: TokenAuth) -> ResponseQuerySet:
    visible = Response.objects.visible_to(auth.user)
    if reads_everything(auth):
        return visible
    return visible.filter(organisation_id__in=auth.organisation_ids)


def respondable_responses(auth: TokenAuth) -> ResponseQuerySet:
    return Response.objects.respondable_by(auth.user).filter(organisation_id__in=auth.organisation_ids)


def respondable_organisations(auth: TokenAuth) -> OrganisationQuerySet:
    return Organisation.objects.respondable_by(auth.user).filter(pk__in=auth.organisation_ids)


def alert_or_404(auth: TokenAuth, threat_id: str, *, response_required: bool = False) -> Alert:
    found = alerts(auth).filter(threat_id=threat_id.upper())
    if response_required:
        found = found.filter(response_required=True)
    alert = found.first()
    if alert is None:
        raise Http404("No such alert, or not one this token can read")
    return alert
