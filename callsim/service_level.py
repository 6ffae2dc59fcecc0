"""The service-level definitions (SPEC §3), named once for the formulas, the scenario and the KPIs.

They differ by up to ~9 points on the same calls, so a scenario names the one it is judged by.
A leaf module: the scenario schema needs the names without importing the formulas (and SciPy).
"""

SERVICE_LEVEL_DEFINITIONS: tuple[str, ...] = (
    "offered",  # answered within T / offered
    "answered",  # answered within T / answered
    "offered_abandons_ok",  # (answered + abandoned) within T / offered
    "offered_minus_early_abandons",  # answered within T / (offered − abandoned within T)
)

BALKED_IN_SL: tuple[str, ...] = (
    "offered",  # a caller who balked was offered and not answered within T (strict)
    "excluded",  # neither answered nor lost, as a short abandon
    "abandoned",  # an abandon after no wait (within T, so good under offered_abandons_ok)
)
"""How callers who hung up on hearing the announced wait count in the definitions above."""


def check_fraction_levels(levels: dict[str, float], example: str) -> None:
    """A rule on the service-level signal reads a fraction: a level typed as a percentage (80
    for 80%) would never be crossed, so the rule would silently do nothing. ``levels``: each
    level by the key the error names."""
    for key, level in levels.items():
        if not 0 <= level <= 1:
            raise ValueError(
                f"{key}: the service_level signal is a fraction from 0 to 1 ({example}), "
                f"not {level:g}"
            )
