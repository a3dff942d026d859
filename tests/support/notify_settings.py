"""Settings for worker processes that tests and the fan-out benchmark start: config.settings, with the
notification settings (NOTIFY_*) taken from the environment so each run can point at its own local Notify."""

import os

from config.settings import *  # noqa: F403

for _name, _value in os.environ.items():
    if _name.startswith("NOTIFY_"):
        globals()[_name] = _value
