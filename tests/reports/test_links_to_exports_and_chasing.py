"""The reports offer the matching downloads and the chase list, and the links work for those who see the report."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_alert_report_links_to_its_responses_as_csv_and_xlsx(compliance, signed_in, auditor):
    client = signed_in(auditor)
    page = client.get(reverse("reports:alert", args=[compliance.x.threat_id])).content.decode()

    for fmt in ("csv", "xlsx"):
        link = reverse("exports:alert_responses", args=[compliance.x.threat_id, fmt])
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200


def test_a_member_downloads_their_organisation_history_from_its_report(compliance, signed_in, bob):
    client = signed_in(bob)
    page = client.get(reverse("reports:organisation", args=["RAA"])).content.decode()

    link = reverse("exports:history", args=["csv"]) + "?organisation=RAA"
    assert f'href="{link}"' in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).count(b"RAA") > 0


def test_the_list_of_reports_links_to_the_exports_page(compliance, signed_in, auditor):
    page = signed_in(auditor).get(reverse("reports:index")).content.decode()
    assert f'href="{reverse("exports:index")}"' in page


def test_the_report_of_a_published_alert_links_to_its_chase_list(compliance, signed_in, auditor):
    client = signed_in(auditor)
    page = client.get(reverse("reports:alert", args=[compliance.x.threat_id])).content.decode()

    link = reverse("followup:chase", args=[compliance.x.threat_id])
    assert f'href="{link}"' in page
    assert client.get(link).status_code == 200
