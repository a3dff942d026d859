"""Fixtures of the generated-input tests. Their budget is in tests.fuzz.strategies.budget."""

import pytest

from respond.accounts.models import Role
from respond.organisations.models import OrganisationType
from tests.factories import MembershipFactory, OrganisationFactory, member
from tests.fuzz import ledger


def pytest_runtest_teardown(item, nextitem):
    ledger.save()


# Signed in once per test, outside the examples (each example's writes are rolled back).
@pytest.fixture
def as_alice(alice, signed_in):
    return signed_in(alice)


@pytest.fixture
def as_charlie(charlie, signed_in):
    return signed_in(charlie)


@pytest.fixture
def as_csoc(csoc, signed_in):
    return signed_in(csoc)


@pytest.fixture
def as_lead_responder(trust_a, trust_b, signed_in):
    """A responder of a commissioning support unit who responds on behalf of Trust A and Trust B."""
    csu = OrganisationFactory(ods_code="0DF", name="Midlands CSU", organisation_type=OrganisationType.CSU)
    lee = member(csu, Role.RESPONDER, email="lee@csu.nhs.uk", full_name="Lee Lead")
    MembershipFactory(user=lee, organisation=trust_a, role=Role.RESPONDER)
    MembershipFactory(user=lee, organisation=trust_b, role=Role.RESPONDER)
    return signed_in(lee)
