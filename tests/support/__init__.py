"""Helpers shared by the test suite: tiny real distributions and local servers."""
