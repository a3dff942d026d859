"""`field__any_of` finds what `field__in` finds, on both engines, and on PostgreSQL sends the values as one array."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from respond.core.models import DataVersion
from respond.organisations.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("wanted", [[], [0], [0, 2, 4], [1, 1, 3, None]])
def test_any_of_finds_what_in_finds(wanted):
    organisations = OrganisationFactory.create_batch(5)
    ids = [organisations[index].pk if index is not None else None for index in wanted]
    found = set(Organisation.objects.filter(pk__any_of=ids).values_list("pk", flat=True))
    assert found == set(Organisation.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert found == {organisations[index].pk for index in wanted if index is not None}


def test_any_of_on_text_and_foreign_keys():
    DataVersion.objects.bulk_create(DataVersion(name=f"v:{number}", number=number) for number in range(1, 6))
    names = {f"v:{number}" for number in (2, 3, 9)}
    assert set(DataVersion.objects.filter(name__any_of=names).values_list("number", flat=True)) == {2, 3}
    parent = OrganisationFactory()
    child = OrganisationFactory(parent_icb=parent)
    assert list(Organisation.objects.filter(parent_icb_id__any_of=[parent.pk])) == [child]


def test_any_of_takes_a_subquery_as_in_does():
    kept = OrganisationFactory()
    OrganisationFactory()
    chosen = Organisation.objects.filter(pk=kept.pk).values("pk")
    assert list(Organisation.objects.filter(pk__any_of=chosen)) == [kept]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="arrays are PostgreSQL's; SQLite keeps IN")
def test_on_postgresql_the_values_go_as_one_array():
    organisations = OrganisationFactory.create_batch(3)
    ids = [organisation.pk for organisation in organisations]
    with CaptureQueriesContext(connection) as queries:
        assert Organisation.objects.filter(pk__any_of=ids).count() == 3
    assert "= ANY(" in queries[0]["sql"]
    assert " IN (" not in queries[0]["sql"]
