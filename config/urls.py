from django.urls import include, path

from respond.accounts.views import EnrolTotpView, SignInView
from respond.alerts import csoc_urls as alert_authoring
from respond.core import views as core_views
from respond.operations import views as operations_views
from respond.publication import urls as publication
from respond.responses.views.dashboard import dashboard

urlpatterns = [
    # The start page: "Your alerts".
    path("", dashboard, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", operations_views.metrics, name="metrics"),
    path("accessibility-statement/", core_views.accessibility, name="accessibility"),
    path("privacy-notice/", core_views.privacy, name="privacy"),
    path("cookies/", core_views.cookies, name="cookies"),
    path("organisations/", include("respond.organisations.urls")),
    path("csoc/", include("respond.core.urls")),
    path("users/", include("respond.accounts.urls")),
    path("", include("respond.accounts.access_urls")),
    path("csoc/lead-administrators/", include("respond.accounts.lead_administrator_urls")),
    path("cyber-alerts/", include("respond.alerts.urls")),
    path("cyber-alerts/", include("respond.exchange.urls")),
    path("taxii2/", include("respond.exchange.taxii_urls")),
    path("api/cyber-alerts/", include("respond.alerts.api_urls")),
    # One namespace for the CSOC's alert pages: writing them (alerts) and reaching organisations (publication).
    path("csoc/alerts/", include((alert_authoring.urlpatterns + publication.urlpatterns, "alerts_csoc"))),
    path("", include("respond.notifications.urls")),
    path("responses/", include("respond.responses.urls")),
    path("reports/", include("respond.reports.urls")),
    path("follow-up/", include("respond.followup.urls")),
    path("exports/", include("respond.exports.urls")),
    path("api-tokens/", include("respond.accounts.api_token_urls")),
    path("api/v1/", include("respond.api.urls")),
    path("groups/", include("respond.groups.urls")),
    path("groups/", include("respond.exchange.group_urls")),  # a group's indicators as STIX
    # Our sign-in page offers single sign-on (NHSmail) when it is configured.
    path("account/login/", SignInView.as_view(), name="account_login"),
    # Enrolling a second factor also marks the session as multi-factor (see respond.accounts.mfa).
    path("account/2fa/totp/activate/", EnrolTotpView.as_view(), name="mfa_activate_totp"),
    path("account/2fa/webauthn/", include("respond.accounts.passkey_urls")),
    path("account/", include("allauth.urls")),
]

handler400 = "respond.core.views.bad_request"
handler403 = "respond.core.views.permission_denied"
handler404 = "respond.core.views.page_not_found"
handler500 = "respond.core.views.server_error"
