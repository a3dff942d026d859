"""An S3-compatible store (AWS S3, MinIO, Ceph...) whose files are read as a stream.

django-storages' own S3 file copies the whole object into a temporary file in memory before the first byte is
read (AWS_S3_MAX_MEMORY_SIZE is unlimited by default). A download of a large file should not cost its size in
memory on the web server, so a file opened for reading here is S3's response body, read as it arrives.
"""

from typing import Any

from botocore.exceptions import ClientError
from django.core.files.base import File
from s3transfer.constants import ALLOWED_DOWNLOAD_ARGS
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class StreamingS3Storage(S3Storage):
    def _open(self, name: str, mode: str = "rb") -> Any:
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        # The parameters a read needs (a customer-provided encryption key, say), as django-storages sends them.
        parameters = {k: v for k, v in self.get_object_parameters(name).items() if k in ALLOWED_DOWNLOAD_ARGS}
        try:
            answer = self.bucket.Object(key).get(**parameters)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from error
            raise
        stream = File(answer["Body"], name=name)
        stream.size = answer["ContentLength"]
        return stream
