"""Measurement: the KPI catalogue, KPIs of one replication, satisfaction, time-weighted
overlap of spans, and confidence intervals."""
