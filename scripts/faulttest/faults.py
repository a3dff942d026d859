"""The faults, each injected mid-fan-out. A fault waits until part of the alert's messages are out (`wait_for`),
breaks something, mends it where the fault is not mended by itself, and returns when the fault ended (time.time()):
from then on the service must recover by itself."""

import os
import signal
import time
from collections.abc import Callable

from faulttest.world import World, children, kill_with_children

WaitFor = Callable[[float], None]  # wait_for(0.2): until a fifth of the messages are accepted by Notify


def kill_a_worker(world: World, wait_for: WaitFor, options: dict) -> float:
    """SIGKILL a task worker (and its work horse) while it sends; the supervisor starts a new one at once."""
    wait_for(0.2)
    victim = world.workers[0]
    world.supervisor.expect_exit(victim)
    kill_with_children(victim)
    print(f"  killed worker {victim.pid} (SIGKILL)", flush=True)
    wait_until(lambda: victim.alive(), 30, "the killed worker was not replaced")
    return time.time()


def kill_a_web_worker(world: World, wait_for: WaitFor, options: dict) -> float:
    """SIGKILL one gunicorn worker of the first web process while the responders use it: gunicorn starts another;
    the web process itself is never restarted."""
    wait_for(0.2)
    web = world.webs[0]
    workers = children(web.pid)
    if not workers:
        raise SystemExit(f"web {web.pid} has no gunicorn workers")
    os.kill(workers[0], signal.SIGKILL)
    print(f"  killed gunicorn worker {workers[0]} of web {web.pid} (SIGKILL)", flush=True)
    replaced = lambda: len(children(web.pid)) >= len(workers) and workers[0] not in children(web.pid)  # noqa: E731
    wait_until(replaced, 60, "gunicorn did not replace its killed worker")
    return time.time()


def restart_postgres(world: World, wait_for: WaitFor, options: dict) -> float:
    """Stop PostgreSQL (fast: every connection cut), leave it down, start it again."""
    wait_for(0.2)
    world.postgres.stop()
    print(f"  PostgreSQL stopped for {options['down_seconds']:g} s", flush=True)
    time.sleep(options["down_seconds"])
    world.postgres.start()
    return time.time()


def restart_redis(world: World, wait_for: WaitFor, options: dict) -> float:
    """Stop Redis (its append-only file kept, as production's would be), leave it down, start it again."""
    wait_for(0.2)
    world.redis.stop()
    print(f"  Redis stopped for {options['down_seconds']:g} s", flush=True)
    time.sleep(options["down_seconds"])
    world.redis.start()
    return time.time()


def notify_outage(world: World, wait_for: WaitFor, options: dict) -> float:
    """Notify answers every send with 503 for a while, then with 429 (rate limited) for a while, then recovers."""
    wait_for(0.1)
    notify = world.notify
    notify.fail_every(1, 503)
    print(f"  Notify answers 503 for {options['outage_seconds']:g} s", flush=True)
    time.sleep(options["outage_seconds"])
    notify.fail_every(0)
    notify.fail_every(1, 429)
    print(f"  then 429 for {options['rate_limited_seconds']:g} s", flush=True)
    time.sleep(options["rate_limited_seconds"])
    notify.fail_every(0)
    return time.time()


def notify_timeouts(world: World, wait_for: WaitFor, options: dict) -> float:
    """Notify accepts one send in five but never answers it (the sender times out, not knowing it was sent)."""
    wait_for(0.1)
    notify = world.notify
    notify.fail_every(5, kind="accept_then_timeout")
    print(f"  Notify accepts one send in 5 without answering, for {options['timeouts_seconds']:g} s", flush=True)
    time.sleep(options["timeouts_seconds"])
    notify.fail_every(0)
    return time.time()


def kill_the_scheduler(world: World, wait_for: WaitFor, options: dict) -> float:
    """SIGKILL the scheduler holding the lock, mid-fan-out; the standby must take over (the supervisor starts the
    killed one again, and it stands by)."""
    wait_for(0.2)
    active = world.active_scheduler()
    standby = next(s for s in world.schedulers if s is not active)
    taken_before = standby.output().count("Scheduler lock taken")
    world.supervisor.expect_exit(active)
    kill_with_children(active)
    killed_at = time.time()
    print(f"  killed the active scheduler {active.pid} (SIGKILL)", flush=True)
    wait_until(lambda: standby.output().count("Scheduler lock taken") > taken_before, 60, "the standby never took over")
    options["takeover_s"] = time.time() - killed_at
    print(f"  the standby {standby.pid} took over in {options['takeover_s']:.1f} s", flush=True)
    return killed_at


def wait_until(condition: Callable[[], bool], timeout: float, failure: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(failure)
        time.sleep(0.1)


FAULTS: dict[str, Callable[[World, WaitFor, dict], float]] = {
    "worker_kill": kill_a_worker,
    "web_worker_kill": kill_a_web_worker,
    "postgres_restart": restart_postgres,
    "redis_restart": restart_redis,
    "notify_outage": notify_outage,
    "notify_timeouts": notify_timeouts,
    "scheduler_failover": kill_the_scheduler,
}
