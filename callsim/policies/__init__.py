"""Selling policies (SPEC §2): each one module declaring its config and its rule.

Importing this package imports every policy module in it, and each registers itself with
:mod:`callsim.policies.registry`: adding a built-in policy is adding one file.
"""

from __future__ import annotations

import importlib
import pkgutil

from callsim.policies.contract import Centre, PolicyConfig, SellingPolicy
from callsim.policies.registry import make_policy, register

_NOT_POLICIES = {"contract", "registry"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _NOT_POLICIES:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Centre", "PolicyConfig", "SellingPolicy", "make_policy", "register"]
