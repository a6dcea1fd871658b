"""The end-to-end tests share the whole-stack fixtures of ``tests/conftest.py``."""
