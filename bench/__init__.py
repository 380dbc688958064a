"""Benchmarks of the registry pipeline, and the synthetic registry they run on."""
