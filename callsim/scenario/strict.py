"""The base of every scenario section: strict, frozen, finite.

Unknown keys are errors because a typo that silently falls back to a default is the worst kind of
planning error: it looks like a result. Strict types keep ``"10"`` from passing as a number.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)
