"""Demo data for a newcomer: `manage.py seed_demo` loads every app's, so it sits above them all."""
