"""Hypothesis profiles: `suite` (the default, a short budget that make test runs) and `fuzz` (make fuzz's long
budget), chosen by HYPOTHESIS_PROFILE."""

import os

import pytest
from hypothesis import HealthCheck, settings

from respond.accounts.models import Role
from respond.organisations.models import OrganisationType
from tests.factories import MembershipFactory, OrganisationFactory, member
from tests.fuzz import ledger

# Each example runs in a savepoint of the test's transaction (see tests.fuzz.harness), so the function-scoped
# database fixtures are shared safely.
_common = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("suite", max_examples=5, derandomize=True, **_common)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")), **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


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
