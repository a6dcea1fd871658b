"""Security tests against the whole stack (issue 18): they share the e2e stack of
``tests/conftest.py`` and run in ``make test``."""
