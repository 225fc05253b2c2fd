"""Every pipeline step module, imported in pipeline order (each registers itself on import).

The one place that decides the order: add a step module here, after the steps it needs.
"""

from __future__ import annotations

import customhouse.services.assessment  # (assess: accepted -> assessed / held)
import customhouse.services.classification  # (classify: findings, no state change)
import customhouse.services.risk  # (risk: assessed -> selected; after screening)

# isort: split
import customhouse.services.controls  # noqa: F401  (controls: selected -> controlled; last)
