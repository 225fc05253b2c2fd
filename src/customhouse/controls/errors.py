"""Errors raised by controls, allocation, findings and release."""

from __future__ import annotations

from customhouse.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge


class TaskNotFound(NotFound):
    code = "controls.TaskNotFound"


class TaskClosed(Conflict):
    code = "controls.TaskClosed"


class NotAssigned(Forbidden):
    """Only the officer the task was allocated to records its findings."""

    code = "controls.NotAssigned"


class NoEligibleOfficer(Conflict):
    code = "controls.NoEligibleOfficer"


class SeedMissing(NotFound):
    code = "controls.SeedMissing"


class SeedAlreadyCommitted(Conflict):
    code = "controls.SeedAlreadyCommitted"


class SeedNotRevealable(Conflict):
    """A day's seed is revealed only after the day is over."""

    code = "controls.SeedNotRevealable"


class ReleaseRefused(Conflict):
    code = "controls.ReleaseRefused"


class FourEyes(Forbidden):
    """The second approval must come from another user with the supervisor role."""

    code = "controls.FourEyes"


class ApprovalNotFound(NotFound):
    code = "controls.ApprovalNotFound"


class ApprovalDecided(Conflict):
    code = "controls.ApprovalDecided"


class ReasonRequired(InvalidInput):
    code = "controls.ReasonRequired"


class EvidenceNotFound(NotFound):
    code = "controls.EvidenceNotFound"


class EvidenceCorrupted(Conflict):
    """Stored evidence no longer matches its SHA-256: it was altered."""

    code = "controls.EvidenceCorrupted"


class AccountNotFound(NotFound):
    code = "controls.AccountNotFound"


class AccountExists(Conflict):
    """A holder has one deferment account per currency."""

    code = "controls.AccountExists"


class BadAccount(InvalidInput):
    code = "controls.BadAccount"


class SettlementExceedsOutstanding(Conflict):
    """A settlement larger than what releases drew on the account would be money unaccounted
    for; it is refused rather than capped."""

    code = "controls.SettlementExceedsOutstanding"


class BadFinding(InvalidInput):
    code = "controls.BadFinding"


class BadEvidence(InvalidInput):
    """An upload that is empty, or not a scan image, photo, PDF or text report."""

    code = "controls.BadEvidence"


class EvidenceTooLarge(PayloadTooLarge):
    code = "controls.EvidenceTooLarge"
