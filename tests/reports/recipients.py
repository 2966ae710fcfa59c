"""The report's recipients in the test territory (tests/reports/conftest.py) and the addresses the delivery
tests expect."""

STAFF = ["economie@agence.example", "veille@agence.example"]
ENGINEERS = ["data@agence.example"]
