"""Tracing: one span per stage, one trace per request; spans kept in SQLite by default."""
