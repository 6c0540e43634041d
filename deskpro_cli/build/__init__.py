"""Building an app: compile, assemble dist/, installer, verify, archive."""
