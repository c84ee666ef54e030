"""Command-line tools around the remap-backend proxy: build, verify, diff, scan."""
