"""Publishing: the read-only snapshot of the marts that BI tools read."""
