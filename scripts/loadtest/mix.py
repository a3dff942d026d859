"""Who the load test's people are, and how many of each: the locustfile's classes take their weights from here,
and the plan (scripts/loadtest/plan.py) makes enough sessions and tokens that no two people share one (two
people answering for one organisation would meet "changed since you opened it", which the fault tests cover)."""

import math

# Relative numbers of people of each kind, once the fixed ones below are started.
WEIGHTS = {
    "responder": 10,
    "reader": 5,
    "group_member": 3,
    "api": 3,
    "administrator": 2,
    "auditor": 2,
}
# Always exactly this many, however many users: the floor, a lead organisation answering in bulk through the
# forms, an integration answering in bulk through the API, and a CSOC analyst.
FIXED = {"floor": 2, "lead": 1, "api_bulk": 1, "csoc": 1}


def most_people(kind: str, users: int) -> int:
    """The most people of a kind locust starts for `users` users (its rounding may give one more than the
    share)."""
    if kind in FIXED:
        return FIXED[kind]
    weighted = max(users - sum(FIXED.values()), 0)
    return math.ceil(weighted * WEIGHTS[kind] / sum(WEIGHTS.values())) + 1
