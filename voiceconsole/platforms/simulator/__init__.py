"""Simulated voice-agency traffic in the platforms' native shapes (demo data, benchmarks, webhooks)."""
