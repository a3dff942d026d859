"""The harness itself: a refusal that wrote and kept a row is caught; one that wrote and rolled back is not."""

import pytest
from django.db import transaction

from respond.organisations.models import Organisation
from tests.fuzz.harness import example, watching_writes

pytestmark = pytest.mark.django_db


def test_a_kept_write_is_a_change(trust_a):
    with example():
        with watching_writes() as writes:
            Organisation.objects.filter(pk=trust_a.pk).update(name="Changed")
        assert writes.changed() == ["organisations.Organisation"]
        assert Organisation.objects.get(pk=trust_a.pk).name == trust_a.name  # rolled back by changed()


def test_a_write_rolled_back_is_no_change(trust_a):
    with example():
        with watching_writes() as writes, transaction.atomic():
            Organisation.objects.filter(pk=trust_a.pk).update(name="Changed")
            transaction.set_rollback(True)
        assert writes.tables == {Organisation._meta.db_table}
        assert writes.changed() == []


def test_reading_is_no_write(trust_a):
    with example():
        with watching_writes() as writes:
            list(Organisation.objects.select_for_update().filter(pk=trust_a.pk))
        assert writes.changed() == []
