"""Instruments as data: the YAML format, its validation, item types and versioned storage."""
