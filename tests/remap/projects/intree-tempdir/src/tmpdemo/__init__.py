"""Test data: an extension that reports the file it was compiled from."""
