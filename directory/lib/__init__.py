"""Plumbing every app may use: the public page cache, rate limits, error handlers, OpenAPI hooks.

It imports no app of this project (the import-linter contract in pyproject.toml keeps it so).
"""
