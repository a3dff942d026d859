"""Fixtures: one user per role (alice administers Trust A, bob responds for it, charlie is of Trust B)."""

import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.core.cache import cache
from django.core.management import call_command
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations
from django.test import Client

from respond.accounts.models import GlobalRole, Membership, Role, User
from respond.core.version_triggers import VERSIONS_TABLE
from respond.operations.middleware import SESSION_ORGANISATIONS
from tests.browser.fixtures import chromium, page, pytest_runtest_makereport  # noqa: F401 - for every test package
from tests.factories import OrganisationFactory, enrol_totp, global_user, member
from tests.groups.setup import group, group_files, mel, morgan, rex, trust_c, write  # noqa: F401 - for every test package


@pytest.fixture(scope="session", autouse=True)
def cache_table(django_db_setup, django_db_blocker):
    """The DatabaseCache's table (rate limits, used TOTP codes); migrations do not create it."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def flush_postgresql_by_delete():
    """After each transactional test (browser, process-set and concurrency tests) pytest-django empties every table
    with Django's flush, which on PostgreSQL is one TRUNCATE of all of them: about half a second of the server's
    time each (new files for every table and index), where DELETE of the few rows a test wrote takes milliseconds.
    The tables end as empty either way: the foreign keys are deferred to the end of flush's transaction, and
    the versions table goes last, after the triggers of the other tables' deletes have written to it."""
    real = PostgreSQLOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:
            return real(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        ordered = sorted(tables, key=lambda table: table == VERSIONS_TABLE)
        return [f"DELETE FROM {self.quote_name(table)};" for table in ordered]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgreSQLOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def empty_cache(cache_table, django_db_blocker):
    """Rate limits and used TOTP codes must not leak from one test into the next (Redis keeps them). The database
    cache counts its table every 100th value stored in a process (respond.core.cache): each test starts that count
    again, so that the query it adds never falls inside another test's count of a page's queries."""
    with django_db_blocker.unblock():
        cache.clear()
    if hasattr(cache, "_sets_since_cull_check"):
        cache._sets_since_cull_check = 0


@pytest.fixture
def trust_a():
    return OrganisationFactory(ods_code="RAA", name="Alpha Hospitals NHS Trust")


@pytest.fixture
def trust_b():
    return OrganisationFactory(ods_code="RBB", name="Beta Hospitals NHS Trust")


@pytest.fixture
def alice(trust_a) -> User:
    """Administrator of Trust A."""
    return member(trust_a, Role.ADMINISTRATOR, email="alice@alpha.nhs.uk", full_name="Alice Admin")


@pytest.fixture
def bob(trust_a) -> User:
    """Responder for Trust A."""
    return member(trust_a, Role.RESPONDER, email="bob@alpha.nhs.uk", full_name="Bob Responder")


@pytest.fixture
def charlie(trust_b) -> User:
    """Administrator of Trust B: no access to Trust A."""
    return member(trust_b, Role.ADMINISTRATOR, email="charlie@beta.nhs.uk", full_name="Charlie Other")


@pytest.fixture
def auditor() -> User:
    return global_user(GlobalRole.AUDITOR, email="audrey@england.nhs.uk", full_name="Audrey Auditor")


@pytest.fixture
def csoc() -> User:
    return global_user(GlobalRole.CSOC, email="casey@csoc.nhs.uk", full_name="Casey CSOC")


def sign_in(client: Client, user: User) -> Client:
    """Signs the user in with a second factor, as the MFA login stage would."""
    authenticator = enrol_totp(user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    # What the log middleware reads once a session, read at sign-in, so that no test counts it in a page's queries.
    organisation_ids = sorted(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))[:20]
    session[SESSION_ORGANISATIONS] = {"user": user.pk, "ids": organisation_ids}
    session.save()
    return client


@pytest.fixture
def signed_in():
    """signed_in(user) -> a test client signed in with MFA."""

    def _sign_in(user: User) -> Client:
        return sign_in(Client(), user)

    return _sign_in
