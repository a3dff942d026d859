"""notifications_for_alert writes one row per message, in the publisher's transaction."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count

from respond.accounts.models import Role
from respond.alerts.models import ThreatUpdate
from respond.notifications import services
from respond.notifications.chains import deliver_notifications
from respond.notifications.models import AlertOnlyContact, ExtraEmail, MessageKind, Notification, Status
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member
from tests.notifications.conftest import make_alert, organisation_with_members, with_mobile

pytestmark = pytest.mark.django_db


def addresses(alert, kind=MessageKind.EMAIL, update=None):
    return set(Notification.objects.filter(alert=alert, kind=kind, update=update).values_list("address", flat=True))


def test_every_member_extra_address_and_contact_of_every_in_scope_organisation_gets_one_email(
    trust_a, trust_b, alice, bob, charlie
):
    out_of_scope = OrganisationFactory()
    member(out_of_scope, Role.ADMINISTRATOR, email="dave@gamma.nhs.uk")
    ExtraEmail.objects.create(user=bob, email="security-team@alpha.nhs.uk")
    AlertOnlyContact.objects.create(organisation=trust_b, name="On-call manager", email="oncall@beta.nhs.uk")
    AlertOnlyContact.objects.create(organisation=trust_b, name="Pager", mobile_number="+447700900123")
    alert = make_alert(organisations=[trust_a, trust_b])

    count = services.notifications_for_alert(alert=alert)

    assert addresses(alert) == {
        "alice@alpha.nhs.uk",
        "bob@alpha.nhs.uk",
        "security-team@alpha.nhs.uk",
        "charlie@beta.nhs.uk",
        "oncall@beta.nhs.uk",
    }
    assert count == 5
    row = Notification.objects.get(alert=alert, address="bob@alpha.nhs.uk")
    assert (row.user, row.organisation, row.status, row.channel) == (bob, trust_a, Status.QUEUED, "email")
    extra_row = Notification.objects.get(alert=alert, address="security-team@alpha.nhs.uk")
    assert (extra_row.user, extra_row.organisation) == (bob, trust_a)
    contact_row = Notification.objects.get(alert=alert, address="oncall@beta.nhs.uk")
    assert contact_row.contact.name == "On-call manager"
    assert contact_row.user is None


def test_no_text_messages_unless_major_incident(trust_a, alice):
    with_mobile(alice)
    alert = make_alert(organisations=[trust_a], major_incident=False)
    services.notifications_for_alert(alert=alert)
    assert not Notification.objects.filter(alert=alert, channel="sms").exists()


def test_major_incident_sends_two_texts_to_opted_in_people_and_contacts_with_a_mobile(trust_a, alice, bob):
    with_mobile(alice, "+447700900001", opt_in=True)
    with_mobile(bob, "+447700900002", opt_in=False)
    AlertOnlyContact.objects.create(organisation=trust_a, name="On call", mobile_number="+447700900003")
    alert = make_alert(organisations=[trust_a], major_incident=True)

    services.notifications_for_alert(alert=alert)

    assert addresses(alert, MessageKind.INCIDENT_SMS) == {"+447700900001", "+447700900003"}
    assert addresses(alert, MessageKind.SIGNPOST_SMS) == {"+447700900001", "+447700900003"}
    incident = Notification.objects.get(alert=alert, kind=MessageKind.INCIDENT_SMS, address="+447700900001")
    signpost = Notification.objects.get(alert=alert, kind=MessageKind.SIGNPOST_SMS, address="+447700900001")
    email = Notification.objects.get(alert=alert, kind=MessageKind.EMAIL, address="alice@alpha.nhs.uk")
    # The text that flags the incident goes first, then its link, then the emails.
    assert incident.priority < signpost.priority < email.priority


def test_a_person_in_several_organisations_gets_one_message_of_each_kind(trust_a, trust_b, alice):
    MembershipFactory(user=alice, organisation=trust_b, role=Role.RESPONDER)
    ExtraEmail.objects.create(user=alice, email="ALICE@ALPHA.NHS.UK")
    AlertOnlyContact.objects.create(organisation=trust_b, name="Alice again", email="Alice@Alpha.nhs.uk")
    with_mobile(alice)
    AlertOnlyContact.objects.create(organisation=trust_b, name="Alice's phone", mobile_number="+447700900001")
    alert = make_alert(organisations=[trust_a, trust_b], major_incident=True)

    services.notifications_for_alert(alert=alert)

    per_address = Notification.objects.filter(alert=alert).values("address", "kind").annotate(n=Count("id"))
    assert {(row["address"], row["kind"], row["n"]) for row in per_address} == {
        ("alice@alpha.nhs.uk", MessageKind.EMAIL, 1),
        ("+447700900001", MessageKind.INCIDENT_SMS, 1),
        ("+447700900001", MessageKind.SIGNPOST_SMS, 1),
    }


def test_rows_name_an_in_scope_organisation_for_people_also_in_others():
    elsewhere = OrganisationFactory(ods_code="AAA")  # created first: the lowest id
    in_scope = OrganisationFactory(ods_code="ZZZ")
    person = member(elsewhere, Role.RESPONDER, email="pat@zzz.nhs.uk")
    MembershipFactory(user=person, organisation=in_scope, role=Role.RESPONDER)
    ExtraEmail.objects.create(user=person, email="team@zzz.nhs.uk")
    alert = make_alert(organisations=[in_scope])
    services.notifications_for_alert(alert=alert)
    assert set(Notification.objects.values_list("address", "organisation__ods_code")) == {
        ("pat@zzz.nhs.uk", "ZZZ"),
        ("team@zzz.nhs.uk", "ZZZ"),
    }


def test_inactive_users_and_people_without_a_membership_are_not_told(trust_a, alice):
    inactive = member(trust_a, Role.RESPONDER, email="gone@alpha.nhs.uk")
    inactive.is_active = False
    inactive.save()
    UserFactory(organisation=trust_a, email="no-membership@alpha.nhs.uk")
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    assert addresses(alert) == {"alice@alpha.nhs.uk"}


def test_a_re_notifying_update_gets_its_own_rows(trust_a, alice, csoc):
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    update = ThreatUpdate.objects.create(
        alert=alert, text="Patch now out", requires_reacknowledgement=True, created_by=csoc
    )

    assert services.notifications_for_alert(alert=alert, update=update) == 1

    assert addresses(alert, update=update) == {"alice@alpha.nhs.uk"}
    assert Notification.objects.filter(alert=alert).count() == 2


def test_a_duplicate_row_is_impossible(trust_a, alice, csoc):
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.notifications_for_alert(alert=alert)
    update = ThreatUpdate.objects.create(alert=alert, text="Again", requires_reacknowledgement=True, created_by=csoc)
    services.notifications_for_alert(alert=alert, update=update)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.notifications_for_alert(alert=alert, update=update)


def test_delivery_is_queued_only_when_the_publication_commits(
    trust_a, alice, django_capture_on_commit_callbacks, settings
):
    alert = make_alert(organisations=[trust_a])
    settings.NOTIFY_PARALLEL_TASKS = 3
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notifications_for_alert(alert=alert)
    assert len(callbacks) == 1
    backend = deliver_notifications.get_backend()
    assert [result.kwargs for result in backend.results] == [{"slot": 0}, {"slot": 1}, {"slot": 2}]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_written_or_sent_for_a_publication_that_rolls_back(trust_a, alice):
    alert = make_alert(organisations=[trust_a])

    class PublicationFailed(Exception):
        pass

    def publish_then_fail():
        with transaction.atomic():
            assert services.notifications_for_alert(alert=alert) == 1
            raise PublicationFailed

    with pytest.raises(PublicationFailed):
        publish_then_fail()

    assert not Notification.objects.exists()
    assert deliver_notifications.get_backend().results == []


def test_query_count_does_not_grow_with_recipients(django_assert_max_num_queries, settings):
    organisation, _ = organisation_with_members(3)
    small = make_alert(organisations=[organisation])
    with django_assert_max_num_queries(8):
        services.notifications_for_alert(alert=small)

    big_organisation, _ = organisation_with_members(60)
    big = make_alert(organisations=[organisation, big_organisation])
    with django_assert_max_num_queries(8):
        assert services.notifications_for_alert(alert=big) == 63


def test_rows_outlive_the_people_and_contacts_they_were_for(trust_a, bob):
    contact = AlertOnlyContact.objects.create(organisation=trust_a, name="On call", email="oncall@alpha.nhs.uk")
    alert = make_alert(organisations=[trust_a])
    services.notifications_for_alert(alert=alert)

    contact.delete()
    bob.delete()

    assert set(Notification.objects.values_list("address", "user", "contact")) == {
        ("bob@alpha.nhs.uk", None, None),
        ("oncall@alpha.nhs.uk", None, None),
    }
