from django.conf import settings
from django.db import connection


def queue_status() -> dict[str, str]:
    """The task queue's backend and whether it answers."""
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
            return {"backend": "redis", "status": "ok"}
        except redis.RedisError:
            return {"backend": "redis", "status": "unavailable"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"backend": "database", "status": "ok"}
    except Exception:
        return {"backend": "database", "status": "unavailable"}
