"""Two tiny extensions whose only interest is the run-time search path they were linked with."""
