"""Offline stand-ins for the three APIs: emulators over a data set (served on demo.loopback's server) and the demo
data set derived from the demo warehouse (so `radar demo` runs the live code path against loopback)."""
