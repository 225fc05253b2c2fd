"""Errors raised by post-clearance audit."""

from __future__ import annotations

from customhouse.errors import Conflict, NotFound


class AuditNotFound(NotFound):
    code = "audit.AuditNotFound"


class OutsideAudit(Conflict):
    """The declaration is not the audited trader's, not released, or not in the period."""

    code = "audit.OutsideAudit"


class LimitationExpired(Conflict):
    """The customs debt can no longer be notified (UCC Art. 103: three years by default)."""

    code = "audit.LimitationExpired"


class AuditClosed(Conflict):
    code = "audit.AuditClosed"
