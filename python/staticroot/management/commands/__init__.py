"""commands: collectstatic, run by staticroot\x27s collect."""
