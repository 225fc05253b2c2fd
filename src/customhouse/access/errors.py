"""Access errors."""

from __future__ import annotations

from customhouse.errors import Conflict, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code = "access.InvalidCredentials"


class UserExists(Conflict):
    code = "access.UserExists"
