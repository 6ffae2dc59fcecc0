"""Selling policies (SPEC §2), each one class behind :class:`SellingPolicy`."""

from __future__ import annotations

from callsim.policies.always import Always
from callsim.policies.contract import SellingPolicy
from callsim.policies.load_toggle import LoadToggle
from callsim.policies.never import Never
from callsim.policies.overtime_training import OvertimeTraining
from callsim.policies.talk_flex import TalkFlex
from callsim.policies.threshold import Threshold
from callsim.scenario.selling import (
    AlwaysPolicy,
    LoadTogglePolicy,
    NeverPolicy,
    OvertimeTrainingPolicy,
    Policy,
    TalkFlexPolicy,
    ThresholdPolicy,
)


def make_policy(config: Policy | None) -> SellingPolicy:
    match config:
        case None | NeverPolicy():
            return Never()
        case AlwaysPolicy():
            return Always()
        case ThresholdPolicy(k=k):
            return Threshold(k)
        case LoadTogglePolicy():
            return LoadToggle(config)
        case OvertimeTrainingPolicy():
            return OvertimeTraining(config)
        case TalkFlexPolicy():
            return TalkFlex(config)
    raise ValueError(f"unknown selling policy {config!r}")


__all__ = ["SellingPolicy", "make_policy"]
