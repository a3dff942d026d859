"""A kept statement gives the rows its queryset gives, for every run's values, and is written once for each shape
where it can be (on PostgreSQL with lists; everywhere without), afresh otherwise."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from respond.core.kept_statements import KeptStatement
from respond.organisations.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def by_ids_and_name(shape, ids, name):
    """shape: whether the name is a filter too."""
    organisations = Organisation.objects.filter(pk__any_of=ids)
    if shape:
        organisations = organisations.filter(name=name)
    return organisations.order_by("pk").values_list("pk", "name", "active", "updated_at")


class Counting:
    """The build function, counting how often it is called (with the tests' check of every run off: it builds the
    queryset again each run)."""

    def __init__(self, build):
        self.build, self.calls = build, 0

    def __call__(self, *args):
        self.calls += 1
        return self.build(*args)


def test_each_run_gives_the_querysets_rows_for_its_values():
    first, second, third = (OrganisationFactory(name=name) for name in ("Alpha", "Beta", "Alpha"))
    statement = KeptStatement(by_ids_and_name)
    for shape, ids, name in [
        (False, [first.pk, second.pk], ""),
        (False, [third.pk], ""),
        (True, [first.pk, second.pk, third.pk], "Alpha"),
        (True, [second.pk], "Alpha"),
        (True, [first.pk, second.pk, third.pk], "Beta"),
        (False, [], ""),
    ]:
        assert statement.rows(shape, ids, name) == list(by_ids_and_name(shape, ids, name))
    # Values read back as the queryset reads them (SQLite's booleans and times through Django's converters).
    [(_pk, _name, active, updated_at)] = statement.rows(False, [first.pk], "")
    assert active is True
    assert updated_at == first.updated_at


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a list is one parameter only as a PostgreSQL array")
def test_with_lists_it_is_written_once_for_each_shape_on_postgresql(settings):
    settings.KEPT_STATEMENTS_CHECKED = False
    organisations = OrganisationFactory.create_batch(3)
    build = Counting(by_ids_and_name)
    statement = KeptStatement(build)
    for ids in ([organisations[0].pk], [organisation.pk for organisation in organisations], []):
        with CaptureQueriesContext(connection) as captured:
            assert [row[0] for row in statement.rows(False, ids, "")] == sorted(ids)
        assert len(captured) == 1
    assert build.calls == 1
    assert statement.is_kept(False)
    statement.rows(True, [organisations[1].pk], organisations[1].name)
    assert build.calls == 2


@pytest.mark.skipif(connection.vendor == "postgresql", reason="elsewhere IN writes out each value of a list")
def test_with_lists_elsewhere_it_is_written_afresh_every_run(settings):
    settings.KEPT_STATEMENTS_CHECKED = False
    organisation = OrganisationFactory()
    build = Counting(by_ids_and_name)
    statement = KeptStatement(build)
    for _ in range(2):
        assert statement.rows(False, [organisation.pk], "") == list(by_ids_and_name(False, [organisation.pk], ""))
    assert build.calls == 2
    assert not statement.is_kept(False)


def test_without_lists_it_is_kept_on_every_engine(settings):
    settings.KEPT_STATEMENTS_CHECKED = False
    organisations = OrganisationFactory.create_batch(2)
    build = Counting(lambda shape, pk: Organisation.objects.filter(pk=pk).values_list("ods_code"))
    statement = KeptStatement(build)
    for organisation in organisations:
        assert statement.rows(None, organisation.pk) == [(organisation.ods_code,)]
    assert build.calls == 1
    assert statement.is_kept(None)


def test_with_most_shapes_the_one_used_longest_ago_goes(settings):
    settings.KEPT_STATEMENTS_CHECKED = False
    organisations = sorted(OrganisationFactory.create_batch(4, name="Same"), key=lambda made: made.pk)
    build = Counting(lambda shape, name: Organisation.objects.filter(name=name).order_by("pk")[shape].values_list("pk"))
    statement = KeptStatement(build, most_shapes=2)
    first, second, third = slice(0, 1), slice(1, 2), slice(2, 4)
    for page in (first, second, first, third):  # the second page is the one used longest ago when the third comes
        assert statement.rows(page, "Same") == [(made.pk,) for made in organisations[page]]
    assert build.calls == 3
    assert statement.is_kept(first)
    assert statement.is_kept(third)
    assert not statement.is_kept(second)


def test_a_value_put_in_the_statement_in_another_form_is_written_afresh_every_run(settings):
    """A time the query compares as a date could not be put in the kept statement: it is written each run."""
    settings.KEPT_STATEMENTS_CHECKED = False
    opened = OrganisationFactory(open_date=date(2020, 1, 2))
    OrganisationFactory(open_date=date(2020, 1, 3))
    build = Counting(lambda shape, now: Organisation.objects.filter(open_date=now.date()).values_list("pk"))
    statement = KeptStatement(build)
    noon = timezone.now().replace(year=2020, month=1, day=2, hour=12)
    assert statement.rows(None, noon) == [(opened.pk,)]
    assert statement.rows(None, noon + timedelta(days=3)) == []
    assert build.calls == 3  # once for the stand-ins, then each run
    assert not statement.is_kept(None)


def test_it_takes_only_values_it_has_stand_ins_for():
    with pytest.raises(TypeError, match="No stand-in"):
        KeptStatement(lambda shape, value: Organisation.objects.values_list("pk")).rows(None, 1.5)


def test_in_the_tests_every_run_is_checked_against_the_statement_django_writes(settings):
    """A value the query changes in a way the stand-ins do not show (here an id written into a code) would be left
    out of the kept statement: the tests' check of every run finds it."""
    assert settings.KEPT_STATEMENTS_CHECKED
    organisation = OrganisationFactory(ods_code="X5")
    statement = KeptStatement(lambda shape, pk: Organisation.objects.filter(ods_code=f"X{pk}").values_list("pk"))
    with pytest.raises(AssertionError, match="differs from Django's"):
        statement.rows(None, 5)
    settings.KEPT_STATEMENTS_CHECKED = False
    assert statement.rows(None, 5) == []  # what the check is there to catch: the stand-in's code, not X5
    assert organisation.pk
