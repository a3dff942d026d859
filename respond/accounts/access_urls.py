from django.urls import path

from respond.accounts.views import access, invitations, manage

app_name = "access"

# Reachable without signing in: the link in an invitation email.
PUBLIC_URL_NAMES = {"access:accept_invitation"}

organisation = "access/organisations/<str:ods_code>"

urlpatterns = [
    path("access/", access.index, name="index"),
    path("access/request/", access.request_search, name="request_search"),
    path("access/request/<str:ods_code>/", access.request_new, name="request_new"),
    path("access/requests/<int:pk>/withdraw/", access.request_withdraw, name="request_withdraw"),
    path(f"{organisation}/invite/", manage.invite, name="invite"),
    path(f"{organisation}/invitations/<int:pk>/resend/", manage.invitation_resend_view, name="invitation_resend"),
    path(f"{organisation}/invitations/<int:pk>/revoke/", manage.invitation_revoke_view, name="invitation_revoke"),
    path(f"{organisation}/users/<int:user_id>/role/", manage.change_role, name="change_role"),
    path(f"{organisation}/users/<int:user_id>/remove/", manage.remove_user, name="remove_user"),
    path(f"{organisation}/requests/<int:pk>/", manage.decide_request, name="decide_request"),
    path("invitations/<str:token>/", invitations.accept_invitation, name="accept_invitation"),
]
