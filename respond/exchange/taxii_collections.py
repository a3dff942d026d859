"""The TAXII collections: one public collection of TLP:CLEAR alerts, readable by anyone, and one per token scope
(the set of organisations a token acts for) that also holds the restricted alerts (TLP:GREEN, TLP:AMBER,
TLP:AMBER+STRICT) sent to those organisations. The same scoped querysets as the pages; TLP:RED, were it ever
added, is never shared (only the levels below are)."""

import uuid
from dataclasses import dataclass

from django.db.models import Q

from respond.accounts.api_tokens import TokenAuth
from respond.alerts.models import Alert, AlertQuerySet, Tlp
from respond.exchange.stix import NAMESPACE
from respond.organisations.models import Organisation

SHAREABLE_TLPS = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT)
PUBLIC_ID = str(uuid.uuid5(NAMESPACE, "taxii-collection/public"))


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    token: TokenAuth | None  # whose alerts, beyond the public ones

    def alerts(self) -> AlertQuerySet:
        if self.token is None:
            return Alert.objects.public()
        readable = Alert.objects.visible_to(self.token.user).filter(tlp__in=SHAREABLE_TLPS)
        if not self.token.organisation_ids:  # a CSOC or auditor token, made for no organisation: as its owner reads
            return readable
        sent_to_them = Alert.organisations.through.objects.filter(organisation_id__in=self.token.organisation_ids)
        return readable.filter(Q(tlp=Tlp.CLEAR) | Q(pk__in=sent_to_them.values("alert_id")))

    def as_taxii(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": True,
            "can_write": False,
            "media_types": ["application/stix+json;version=2.1"],
        }


PUBLIC = Collection(
    id=PUBLIC_ID,
    title="Public cyber alerts (TLP:CLEAR)",
    description="Every published cyber alert marked TLP:CLEAR, as STIX 2.1. Readable without a token.",
    token=None,
)


def scope_collection(token: TokenAuth) -> Collection:
    ids = sorted(token.organisation_ids)
    scope = ",".join(map(str, ids)) if ids else "all"
    names = list(Organisation.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True)[:4])
    who = ", ".join(names[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "") if ids else "every organisation"
    return Collection(
        id=str(uuid.uuid5(NAMESPACE, f"taxii-collection/scope/{scope}")),
        title=f"Cyber alerts for {who}",
        description=(
            "Published cyber alerts marked TLP:CLEAR, and those marked TLP:GREEN or TLP:AMBER that were sent to "
            f"{who}, as STIX 2.1. Keep them as their TLP marking says."
        ),
        token=token,
    )


def collections_for(token: TokenAuth | None) -> list[Collection]:
    return [PUBLIC] if token is None else [PUBLIC, scope_collection(token)]
