"""Our versions of allauth's passkey URLs (same names), included before allauth's in config/urls.py."""

from django.urls import path

from respond.accounts.views import passkeys

urlpatterns = [
    path("", passkeys.list_passkeys, name="mfa_list_webauthn"),
    path("add/", passkeys.add_passkey, name="mfa_add_webauthn"),
    path("reauthenticate/", passkeys.reauthenticate_with_passkey, name="mfa_reauthenticate_webauthn"),
    path("keys/<int:pk>/remove/", passkeys.remove_passkey, name="mfa_remove_webauthn"),
    path("keys/<int:pk>/edit/", passkeys.rename_passkey, name="mfa_edit_webauthn"),
]
