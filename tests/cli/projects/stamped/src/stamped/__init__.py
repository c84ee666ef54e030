"""A package whose wheel differs on every build (test data for ``remap-backend verify``)."""
