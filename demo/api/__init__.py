"""Offline stand-ins for the three APIs: emulators over a data set, a loopback server, and the demo data set
derived from the demo warehouse (so `radar demo` runs the live code path against loopback)."""
