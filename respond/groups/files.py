"""Files attached to group posts: which types are accepted, how names are made safe, and where they are kept.

Files go through Django's storage API, in the "group_files" storage (settings.STORAGES): a private folder on
local disk by default, or any other backend (such as an S3-compatible one) by setting. They are never served
by URL, only streamed to members by respond.groups.views.posts.download.
"""

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile

# Each accepted type: its content type, and a check that the bytes are what the name says.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "txt": "text/plain",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "json": "application/stix+json",
}
TYPE_NAMES = {
    "pdf": "PDF",
    "csv": "CSV",
    "txt": "TXT",
    "xlsx": "XLSX",
    "png": "PNG",
    "jpg": "JPG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "json": "STIX JSON",
}
MAGIC = {
    "pdf": (b"%PDF-",),
    "xlsx": (b"PK\x03\x04",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
}
MAX_NAME_LENGTH = 120


def storage() -> Storage:
    return storages["group_files"]


def allowed_extensions() -> list[str]:
    return [ext for ext in (e.lower().lstrip(".") for e in settings.GROUP_FILE_TYPES) if ext in CONTENT_TYPES]


def allowed_types_text() -> str:
    names = list(dict.fromkeys(TYPE_NAMES[ext] for ext in allowed_extensions()))
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def safe_name(name: str) -> str:
    """The name a file downloads as: no folders, no control or shell characters, at most 120 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" ._") or "file"
    stem, dot, extension = base.rpartition(".")
    if not dot:
        return base[:MAX_NAME_LENGTH]
    return f"{stem[: MAX_NAME_LENGTH - len(extension) - 1]}.{extension.lower()}"


def extension_of(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _looks_like_text(data: bytes) -> bool:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def _is_stix(data: bytes) -> bool:
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(parsed, dict) and parsed.get("type") == "bundle" and isinstance(parsed.get("objects"), list)


@dataclass(frozen=True)
class FileProblem:
    message: str


def file_problem(upload: UploadedFile) -> str:
    """Why this upload is refused (empty when it is accepted): its type, size or contents."""
    name = upload.name or ""
    extension = extension_of(name)
    shown = safe_name(name)
    if extension not in allowed_extensions():
        return f"{shown} must be a {allowed_types_text()} file"
    if upload.size is None or upload.size == 0:
        return f"{shown} is empty"
    if upload.size > settings.GROUP_FILE_MAX_BYTES:
        return f"{shown} must be smaller than {size_text(settings.GROUP_FILE_MAX_BYTES)}"
    upload.seek(0)
    if extension in MAGIC:
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(MAGIC[extension]):
            return f"{shown} is not a real {TYPE_NAMES[extension]} file"
        return ""
    data = upload.read()
    upload.seek(0)
    if extension == "json":
        return "" if _is_stix(data) else f"{shown} must be a STIX 2.1 bundle in JSON"
    return "" if _looks_like_text(data) else f"{shown} must be plain text (UTF-8)"


def size_text(size: int) -> str:
    for unit, scale in (("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g}{unit}"
    return f"{size} bytes"


def save_upload(*, group_id: int, upload: UploadedFile) -> str:
    """Stores an (accepted) upload under a random key; returns the key."""
    key = f"groups/{group_id}/{secrets.token_hex(16)}.{extension_of(upload.name or '')}"
    upload.seek(0)
    return storage().save(key, upload)


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")
