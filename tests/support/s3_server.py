"""A local S3-compatible server (moto's standalone server) in a process of its own on a free loopback port: the
group files' S3 storage is tested against it through the real boto3 and django-storages."""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import requests

from tests.support.processes import free_port

REGION = "eu-west-2"
ACCESS_KEY = "local-test-key"
SECRET_KEY = "local-test-secret"


class S3Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.log = Path(tempfile.mkdtemp(prefix="respond-s3-")) / "moto.log"
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "S3Server":
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/moto-api/data.json", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or self.popen.poll() is not None:
                self.stop()
                raise AssertionError(f"moto's S3 server never answered on {self.url}:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=20)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name

    def keys(self, bucket: str) -> list[str]:
        return [entry["Key"] for entry in self.client().list_objects_v2(Bucket=bucket).get("Contents", [])]

    def environment(self, bucket: str) -> dict[str, str]:
        """The settings a deployment sets to keep group files in this server's bucket."""
        return {
            "GROUP_FILES_STORAGE": "s3",
            "GROUP_FILES_S3_BUCKET": bucket,
            "GROUP_FILES_S3_ENDPOINT_URL": self.url,
            "GROUP_FILES_S3_REGION": REGION,
            "GROUP_FILES_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "GROUP_FILES_S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "GROUP_FILES_S3_ADDRESSING_STYLE": "path",
        }
