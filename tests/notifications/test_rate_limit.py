"""Every worker shares one token bucket, so together they stay under Notify's requests-per-minute limit."""

import os
import time
import uuid

import pytest

from respond.notifications import services
from respond.notifications.models import Notification, Status
from respond.notifications.ratelimit import BucketShape, DatabaseTokenBucket, RedisTokenBucket
from tests.notifications.conftest import deliver_everything, make_alert, organisation_with_members

pytestmark = pytest.mark.django_db


def test_the_bucket_never_allows_more_than_the_limit_in_any_minute():
    shape = BucketShape.for_limit(3000)
    assert shape.capacity == 50
    # A full bucket plus a minute of refill stays under the limit, with 1% to spare.
    assert shape.capacity + shape.rate_per_second * 60 == pytest.approx(2970)


def _exercise(bucket):
    first = bucket.take(1000)
    assert first.tokens == 2  # the capacity: one second's worth of 120 a minute
    empty = bucket.take(1)
    assert empty.tokens == 0
    assert 0 < empty.wait_seconds <= 1 / BucketShape.for_limit(120).rate_per_second


def test_database_bucket():
    _exercise(DatabaseTokenBucket(f"test-{uuid.uuid4()}", BucketShape.for_limit(120)))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the suite runs once with Redis)")
def test_redis_bucket():
    _exercise(RedisTokenBucket(f"test-{uuid.uuid4()}", BucketShape.for_limit(120), os.environ["REDIS_URL"]))


def test_workers_stay_under_notifys_limit(notify, settings):
    """Notify (here, the local one) answers 429 above its limit: the worker never gets one."""
    settings.NOTIFY_RATE_LIMIT_PER_MINUTE = 240
    notify.rate_limit_per_minute = 240
    organisation, _ = organisation_with_members(10)
    services.notifications_for_alert(alert=make_alert(organisations=[organisation]))

    started = time.monotonic()
    deliver_everything()
    elapsed = time.monotonic() - started

    assert Notification.objects.filter(status=Status.SENT).count() == 10
    assert [seen.status for seen in notify.requests] == [201] * 10
    # 4 tokens to start with, then 3.93 a second: the other 6 cannot go in under 1.5 seconds.
    assert elapsed > 1.4
