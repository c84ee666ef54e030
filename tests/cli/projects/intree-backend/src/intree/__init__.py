"""Test data: a project with an in-tree backend."""
