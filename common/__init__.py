"""What every package shares: paths, business settings, SQL quoting, strict YAML."""
