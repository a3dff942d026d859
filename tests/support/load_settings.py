"""Settings for the load test's processes: config.settings, plus the floor page (a bare Django view doing one
single-row query, behind the same middleware) that every page's p95 is compared with."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.support.load_urls"
