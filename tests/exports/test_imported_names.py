"""Names that come from imported files (organisations, regions) are exported as typed text: found by the
generated-input tests (tests/fuzz/test_export_cells.py), a region named "=..." was written as it was."""

import pytest

from respond.exports import lookups
from tests.factories import OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_a_region_named_like_a_formula_is_written_as_text():
    organisation = OrganisationFactory(name="@Trust", region=RegionFactory(code="Y99", name="=1+1"))
    names = lookups.organisations()
    names.load([organisation.pk])
    assert names[organisation.pk] == (organisation.ods_code, "'@Trust", "NHS Trust", "'=1+1")
