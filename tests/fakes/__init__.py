"""Fakes of outside services for the test suite (real servers on loopback, not mocks)."""
