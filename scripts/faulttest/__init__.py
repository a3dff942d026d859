"""The fault test's parts (scripts/fault_test.py runs them)."""
