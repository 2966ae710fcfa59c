"""The `radar` command line (entry point: cli.main:main)."""
