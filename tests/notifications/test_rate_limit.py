"""Every worker shares the token buckets, so together they stay under Notify's requests-per-minute limit; look-ups
have a budget of their own, so they never slow sending."""

import os
import time
import uuid
from collections import deque

import pytest

from respond.notifications import services
from respond.notifications.delivery import Job, TokenPurse
from respond.notifications.messages import Message
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


def _exercise_spare_tokens(bucket):
    """A full bucket has one token to spare; once anyone has taken from it, it has none."""
    assert bucket.take(10, spare_only=True).tokens == 1
    none_spare = bucket.take(1, spare_only=True)
    assert none_spare.tokens == 0
    assert none_spare.wait_seconds > 0
    assert bucket.take(10).tokens == 4  # the rest of its 5 is anyone's


def test_database_bucket_spare_tokens():
    _exercise_spare_tokens(DatabaseTokenBucket(f"test-{uuid.uuid4()}", BucketShape.for_limit(300)))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the suite runs once with Redis)")
def test_redis_bucket_spare_tokens():
    _exercise_spare_tokens(
        RedisTokenBucket(f"test-{uuid.uuid4()}", BucketShape.for_limit(300), os.environ["REDIS_URL"])
    )


def test_a_bucket_of_one_token_has_none_to_spare():
    bucket = DatabaseTokenBucket(f"test-{uuid.uuid4()}", BucketShape.for_limit(60))
    assert bucket.take(1, spare_only=True).tokens == 0
    assert bucket.take(1).tokens == 1


def test_look_ups_take_no_send_tokens_and_hold_up_no_sends(trust_a, alice):
    sends = DatabaseTokenBucket(f"sends-{uuid.uuid4()}", BucketShape.for_limit(360))  # 6 tokens
    lookups = DatabaseTokenBucket(f"lookups-{uuid.uuid4()}", BucketShape.for_limit(60))  # 1 token
    purse = TokenPurse(sends=sends, lookups=lookups)
    row = Notification(address="a@example.nhs.uk")
    message = Message(subject="s", body="b")
    # Three messages to ask about first at the head of the queue, then five plain ones.
    pending = deque(
        [Job(row, message, ask_first=True) for _ in range(3)] + [Job(row, message, False) for _ in range(5)]
    )

    taken = []
    while (job := purse.next_job(pending, window=8)[0]) is not None:
        taken.append(job.ask_first)

    # One look-up token: one message asked about; the six send tokens went to it and to five plain sends.
    assert taken == [True, False, False, False, False, False]
    assert [job.ask_first for job in pending] == [True, True]
    job, wait = purse.next_job(pending, window=8)
    assert job is None
    assert wait > 0


def test_look_ups_and_sends_together_stay_under_notifys_limit(notify, settings):
    """Every retry after a 503 asks Notify first; Notify counts the look-ups too, and never answers 429."""
    settings.NOTIFY_RATE_LIMIT_PER_MINUTE = 240
    notify.rate_limit_per_minute = 240
    organisation, _ = organisation_with_members(8)
    services.notifications_for_alert(alert=make_alert(organisations=[organisation]))
    notify.fail_next(4, status=503)

    deliver_everything()

    assert Notification.objects.filter(status=Status.SENT).count() == 8
    assert 429 not in [seen.status for seen in notify.requests]
    assert sum(1 for seen in notify.requests if seen.method == "GET") == 4


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
