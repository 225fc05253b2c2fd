"""Users, tokens and sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from customhouse.access.errors import InvalidCredentials, UserExists
from customhouse.access.models import Action, Principal, Role
from customhouse.access.tables import ApiTokenRow, UserRow
from customhouse.access.tokens import new_token, token_digest
from customhouse.ledger.models import timestamp
from customhouse.services.context import Context

_hasher = PasswordHasher()


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    roles: frozenset[Role]
    eori: str | None = None
    office: str | None = None
    password: str | None = None
    # An argon2 hash made earlier (demo accounts share one, so loading them stays quick).
    password_hash: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _principal(row: UserRow) -> Principal:
    roles = frozenset(Role(r) for r in row.roles.split(",") if r)
    return Principal(
        user_id=row.id, username=row.username, roles=roles, eori=row.eori, office=row.office
    )


def create_user(ctx: Context, *, principal: Principal, user: NewUser) -> Principal:
    principal.require(Action.MANAGE_USERS)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        if uow.session.execute(select(UserRow.id).where(UserRow.username == user.username)).first():
            raise UserExists(f"user {user.username} exists", {"username": user.username})
        row = UserRow(
            username=user.username,
            display_name=user.display_name,
            roles=",".join(sorted(r.value for r in user.roles)),
            eori=user.eori,
            office=user.office,
            password_hash=user.password_hash
            or (_hasher.hash(user.password) if user.password else None),
            active=True,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="user.created",
            subject_type="user",
            subject_id=user.username,
            payload={"roles": row.roles, "eori": user.eori, "office": user.office},
        )
        uow.commit()
        return _principal(row)


def issue_token(ctx: Context, *, principal: Principal, username: str, label: str = "") -> str:
    """A new API token for ``username`` (admins for anyone, users for themselves)."""
    if username != principal.username:
        principal.require(Action.MANAGE_USERS)
    now = ctx.clock.now()
    token = new_token()
    with ctx.uow() as uow:
        uow.lock()
        user = uow.session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
        if user is None:
            raise InvalidCredentials(f"no user {username}")
        uow.session.add(
            ApiTokenRow(
                user_id=user.id,
                token_digest=token_digest(token),
                label=label,
                created_at=timestamp(now),
                revoked=False,
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="token.issued",
            subject_type="user",
            subject_id=username,
            payload={"label": label},
        )
        uow.commit()
    return token


def authenticate_token(ctx: Context, token: str) -> Principal:
    with ctx.sessions() as session:
        row = session.execute(
            select(UserRow)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(
                ApiTokenRow.token_digest == token_digest(token),
                ApiTokenRow.revoked.is_(False),
                UserRow.active.is_(True),
            )
        ).scalar_one_or_none()
    if row is None:
        raise InvalidCredentials("the token is unknown or revoked")
    return _principal(row)


def authenticate_password(ctx: Context, username: str, password: str) -> Principal:
    with ctx.sessions() as session:
        row = session.execute(
            select(UserRow).where(UserRow.username == username, UserRow.active.is_(True))
        ).scalar_one_or_none()
    try:
        if row is None or row.password_hash is None:
            raise VerificationError
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError) as exc:
        raise InvalidCredentials("unknown user or wrong password") from exc
    return _principal(row)


def user_by_name(ctx: Context, username: str) -> Principal | None:
    with ctx.sessions() as session:
        row = session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()
    return _principal(row) if row else None
