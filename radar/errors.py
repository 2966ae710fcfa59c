"""The one base of the errors a user can act on (a file, a month, a lock, a source, a territory file)."""


class RadarError(Exception):
    """Printed by the command line as one line, with exit code 1; anything else is a bug and says so."""
