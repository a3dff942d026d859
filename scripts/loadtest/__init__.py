"""The load test's parts (scripts/load_test.py runs them)."""
