from respond.groups.views import groups, members, posts

__all__ = ["groups", "members", "posts"]
