"""Subcommands of `radar` for capabilities beyond the registry spine; registered in radar/cli.py."""
