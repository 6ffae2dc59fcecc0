"""What a planner writes: the scenario schema, distributions, files, overrides and the sweep grammar.

Nothing here runs a simulation; a scenario is validated data."""
