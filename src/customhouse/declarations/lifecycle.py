"""The declaration lifecycle as an explicit state machine.

>>> can_transition(State.ACCEPTED, State.ASSESSED)
True
>>> check_transition(State.RELEASED, State.ACCEPTED)
Traceback (most recent call last):
...
customhouse.declarations.errors.IllegalTransition: a released declaration cannot become accepted
"""

from __future__ import annotations

from enum import StrEnum

from customhouse.declarations.errors import IllegalTransition


class State(StrEnum):
    DRAFT = "draft"
    LODGED = "lodged"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASSESSED = "assessed"
    SELECTED = "selected"
    UNDER_CONTROL = "under_control"
    RELEASED = "released"
    HELD = "held"
    SEIZED = "seized"
    INVALIDATED = "invalidated"


_S = State
TRANSITIONS: dict[State, frozenset[State]] = {
    _S.DRAFT: frozenset({_S.LODGED}),
    _S.LODGED: frozenset({_S.ACCEPTED, _S.REJECTED}),
    _S.ACCEPTED: frozenset({_S.ASSESSED, _S.INVALIDATED, _S.HELD}),
    _S.ASSESSED: frozenset({_S.SELECTED, _S.ACCEPTED, _S.INVALIDATED, _S.HELD}),
    _S.SELECTED: frozenset({_S.UNDER_CONTROL, _S.RELEASED, _S.HELD, _S.ACCEPTED, _S.INVALIDATED}),
    _S.UNDER_CONTROL: frozenset({_S.RELEASED, _S.HELD, _S.SEIZED, _S.ACCEPTED}),
    # HELD -> ASSESSED: a screening hold lifted (every hit judged a false match) sends the
    # declaration on to risk with its assessment intact (issue 5).
    _S.HELD: frozenset(
        {_S.RELEASED, _S.UNDER_CONTROL, _S.SEIZED, _S.ACCEPTED, _S.INVALIDATED, _S.ASSESSED}
    ),
    _S.RELEASED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.SEIZED: frozenset(),
    _S.INVALIDATED: frozenset(),
}

# An amendment makes a new version and sends the declaration back to be assessed again; it is
# allowed until the goods are released (UCC Art. 173).
AMENDABLE = frozenset({_S.ACCEPTED, _S.ASSESSED, _S.SELECTED, _S.UNDER_CONTROL, _S.HELD})
INVALIDATABLE = frozenset(s for s, targets in TRANSITIONS.items() if _S.INVALIDATED in targets)
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


def can_transition(current: State, target: State) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: State, target: State) -> None:
    """Refuse an illegal change with :class:`IllegalTransition` (HTTP 409)."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"a {current.value.replace('_', ' ')} declaration cannot become {target.value}",
            {"from": current.value, "to": target.value},
        )
