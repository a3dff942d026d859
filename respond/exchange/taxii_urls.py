"""The TAXII 2.1 server, mounted at /taxii2/."""

from django.urls import path

from respond.exchange import taxii_views as views

app_name = "taxii"

# Open without signing in: the public collection needs no token, and the others check the token themselves.
PUBLIC_URL_NAMES = {
    f"taxii:{name}"
    for name in (
        "discovery",
        "api_root",
        "collections",
        "collection",
        "objects",
        "manifest",
        "object",
        "object_versions",
    )
}

COLLECTION = "alerts/collections/<str:collection_id>/"

urlpatterns = [
    path("", views.discovery, name="discovery"),
    path("alerts/", views.api_root, name="api_root"),
    path("alerts/collections/", views.collections, name="collections"),
    path(COLLECTION, views.collection, name="collection"),
    path(COLLECTION + "objects/", views.objects, name="objects"),
    path(COLLECTION + "manifest/", views.manifest, name="manifest"),
    path(COLLECTION + "objects/<str:object_id>/", views.object_detail, name="object"),
    path(COLLECTION + "objects/<str:object_id>/versions/", views.object_versions, name="object_versions"),
]
