"""Helpers shared by the test packages (servers, clusters)."""
