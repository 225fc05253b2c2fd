"""Every pipeline step module, imported in pipeline order (each registers itself on import).

The one place that decides the order: add a step module here, after the steps it needs.
"""

from __future__ import annotations

import customhouse.services.assessment  # noqa: F401  (assess: accepted -> assessed / held)
