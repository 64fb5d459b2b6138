"""`make bench`: the warehouse at scale, timed per stage and measured against the raw-SQL floor."""
