"""From a forecast to a staffing plan: requirements per interval."""
