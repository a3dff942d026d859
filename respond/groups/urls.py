"""Closed incident groups, mounted at /groups/. Every URL under a group answers 404 to anyone not in it."""

from django.urls import path

from respond.groups.views import groups, members, posts

app_name = "groups"

urlpatterns = [
    path("", groups.group_list, name="list"),
    path("open/", groups.open_group, name="open"),
    path("<int:group_id>/", groups.detail, name="detail"),
    path("<int:group_id>/close/", groups.close, name="close"),
    path("<int:group_id>/emails/", groups.choose_digest, name="digest"),
    path("<int:group_id>/posts/new/", posts.new_post, name="new_post"),
    path("<int:group_id>/posts/<int:post_id>/", posts.thread, name="post"),
    path("<int:group_id>/posts/<int:post_id>/edit/", posts.edit, name="edit_post"),
    path("<int:group_id>/posts/<int:post_id>/history/", posts.history, name="post_history"),
    path("<int:group_id>/posts/<int:post_id>/<str:action>/", posts.moderate, name="moderate_post"),
    path("<int:group_id>/files/<int:file_id>/", posts.download, name="file"),
    path("<int:group_id>/indicators.csv", posts.indicators_csv, name="indicators_csv"),
    path("<int:group_id>/members/", members.member_list, name="members"),
    path("<int:group_id>/members/invite/", members.invite, name="invite"),
    path("<int:group_id>/members/<int:member_id>/remove/", members.remove, name="remove_member"),
    path("<int:group_id>/members/<int:member_id>/role/", members.change_role, name="member_role"),
    path("<int:group_id>/invitation/", members.answer, name="answer"),
    path("<int:group_id>/leave/", members.leave, name="leave"),
]
