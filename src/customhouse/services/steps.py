"""Every pipeline step module, imported in pipeline order (each registers itself on import).

The one place that decides the order: add a step module here, after the steps it needs.
"""

from __future__ import annotations

# Pipeline order, not alphabetical.
# isort: off
import customhouse.services.assessment  # (assess: accepted -> assessed / held)
import customhouse.services.screening  # (screen: assessed -> held on a hit; clean stay)
import customhouse.services.classification  # (classify: findings, no state change)
import customhouse.services.risk  # (risk: assessed -> selected; after screening)
import customhouse.services.controls  # noqa: F401  (controls: selected -> controlled; last)

# isort: on

from customhouse.services.pipeline import STEPS

# A route or a test may import a step module before this one and so register its step early
# (screening's integration tests do): the pipeline order is restored here; steps not named keep
# their place, after these.
ORDER = ("assess", "screen", "classify", "risk", "controls")
STEPS.sort(key=lambda s: ORDER.index(s.name) if s.name in ORDER else len(ORDER))
