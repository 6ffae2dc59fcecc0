"""Experiments over replications: running them, results, paired comparisons and sweeps."""
