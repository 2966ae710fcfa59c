"""Loopback fakes of the outside world, shared by the test suite."""
