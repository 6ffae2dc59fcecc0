"""What a planner writes: the scenario schema, distributions, files, overrides, sweep values.

Nothing here runs a simulation; a scenario is validated data."""
