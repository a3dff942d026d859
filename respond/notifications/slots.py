"""Which delivery chains are alive: each slot (0 .. NOTIFY_PARALLEL_TASKS - 1) is held by one chain through a
lease in the cache that the chain renews with its claims. A task's status cannot tell: a killed chain's task row
stays "running" for ever. A slot whose lease has run out has lost its chain, and is started again while messages
are due (respond.notifications.chains.restart_stalled_chains).

A slot's key holds the running chain's id, or STARTING while a chain for it waits in the queue (queued by a
restart, or by a chain handing on to its next run), which the next chain of the slot may take.
"""

from django.core.cache import cache

from respond.notifications.conf import NotificationSettings
from respond.notifications.delivery import new_worker_id

STARTING = "starting"


def slot_key(slot: int) -> str:
    return f"notifications:chain:{slot}"


def stalled_slots(conf: NotificationSettings) -> list[int]:
    keys = [slot_key(slot) for slot in range(conf.parallel_tasks)]
    held = cache.get_many(keys)
    return [slot for slot, key in enumerate(keys) if key not in held]


class ChainSlot:
    def __init__(self, slot: int, conf: NotificationSettings) -> None:
        self.key = slot_key(slot)
        self.holder = new_worker_id()  # also the claims' claimed_by
        self.lease_seconds = conf.lease.total_seconds()
        # A queued chain may wait behind one whole run of another on the same worker before it starts.
        self.queued_seconds = conf.task_time_limit_seconds + self.lease_seconds
        self.lost = False

    def take(self) -> bool:
        """Holds the slot unless another live chain does."""
        held = cache.get(self.key)
        if held not in (None, STARTING, self.holder):
            return False
        cache.set(self.key, self.holder, timeout=self.lease_seconds)
        return True

    def renew(self) -> bool:
        """Renews the lease; False (and `lost`) when another chain has taken the slot, this one having been
        presumed dead."""
        if self.lost:
            return False
        held = cache.get(self.key)
        if held not in (None, STARTING, self.holder):
            self.lost = True
            return False
        cache.set(self.key, self.holder, timeout=self.lease_seconds)
        return True

    def reserve(self) -> bool:
        """Marks a free slot as having a chain on its way; False if one is already."""
        return bool(cache.add(self.key, STARTING, timeout=self.queued_seconds))

    def hand_on(self) -> None:
        """Passes the slot to this chain's next run, about to be queued."""
        cache.set(self.key, STARTING, timeout=self.queued_seconds)

    def release(self) -> None:
        if cache.get(self.key) == self.holder:
            cache.delete(self.key)
