"""Risk management: selectivity profiles, a learned risk model and the channel policy.

Pure engines (profiles, features, model, policy, engine) take declarations as
:class:`~customhouse.risk.models.RiskSubject` and return results with their reasons; storage is
in :mod:`customhouse.risk.tables` and :mod:`customhouse.risk.repository`.
"""

from customhouse.risk.engine import select_channels
from customhouse.risk.model import RiskModel, TrainingParameters, train_model
from customhouse.risk.models import (
    Channel,
    ChannelDecision,
    ModelScore,
    ProfileHit,
    Reason,
    RiskSubject,
    TrainingExample,
)
from customhouse.risk.policy import OfficePolicy, assign_channels
from customhouse.risk.profiles import (
    ProfileCriteria,
    ProfileStatus,
    ReferencePrices,
    SelectivityProfile,
    activate,
    evaluate_profiles,
    retire,
)

__all__ = [
    "Channel",
    "ChannelDecision",
    "ModelScore",
    "OfficePolicy",
    "ProfileCriteria",
    "ProfileHit",
    "ProfileStatus",
    "Reason",
    "ReferencePrices",
    "RiskModel",
    "RiskSubject",
    "SelectivityProfile",
    "TrainingExample",
    "TrainingParameters",
    "activate",
    "assign_channels",
    "evaluate_profiles",
    "retire",
    "select_channels",
    "train_model",
]
