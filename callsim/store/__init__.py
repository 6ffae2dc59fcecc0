"""The results directory on disk: written atomically, read back without re-running."""
