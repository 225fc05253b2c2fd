"""Errors the risk package raises on purpose, each with a stable code."""

from __future__ import annotations

from customhouse.errors import Conflict, DomainError, InvalidInput, NotFound


class RiskError(DomainError):
    code = "risk.Error"


class InvalidProfile(InvalidInput):
    """A selectivity profile's criteria, window or channel break the rules."""

    code = "risk.InvalidProfile"


class FourEyesViolation(Conflict):
    """The author of a profile version tried to activate it: a second person must approve."""

    code = "risk.FourEyesViolation"


class IllegalProfileTransition(Conflict):
    """The profile version is not in a state that allows this action."""

    code = "risk.IllegalProfileTransition"


class UnreadableTrainingData(InvalidInput):
    """A training or test file is missing columns or holds values that cannot be read."""

    code = "risk.UnreadableTrainingData"


class NotEnoughTrainingData(RiskError):
    """Too few examples, or only one class, to train or evaluate a model."""

    code = "risk.NotEnoughTrainingData"


class IncompatibleModel(RiskError):
    """A serialized model cannot be read by this version of the code."""

    code = "risk.IncompatibleModel"


class ProfileNotFound(NotFound):
    code = "risk.ProfileNotFound"


class ModelNotFound(NotFound):
    code = "risk.ModelNotFound"
