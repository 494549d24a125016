"""management: staticroot\x27s management commands."""
