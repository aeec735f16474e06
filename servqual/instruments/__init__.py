"""Instruments as data: the YAML format, its validation, item types and versioned storage."""

# Registers the checklist layout with the format reader.
from servqual.instruments import checklist as checklist
