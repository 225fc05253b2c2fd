"""One typed settings class. Nothing happens at import: call :func:`get_settings`."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service, read from ``CUSTOMHOUSE_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="CUSTOMHOUSE_", extra="ignore")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{Path.cwd() / 'customhouse.db'}",
        description="SQLAlchemy URL; SQLite file in the working folder by default.",
    )
    country: str = Field(default="GB", description="ISO 3166 code of the customs administration.")
    office: str = Field(default="GBLHR001", description="Default customs office of lodgement.")
    unknown_eori: Literal["error", "warning"] = "warning"
    max_body_bytes: int = 1_000_000
    # issue 8: one uploaded scan, photo or report; below max_body_bytes so the page can say so.
    max_evidence_bytes: int = 900_000
    max_items_per_declaration: int = 999
    secret_key: str = "change-me-in-production"
    # issue 8: the session cookie's Secure flag; off only to sign in over plain http locally.
    cookie_secure: bool = False
    tariff_profile: str = Field(
        default="us",
        description="Tariff profile assessed against (us, uk); load it with "
        "'customhouse tariff load --profile'.",
    )
    screening_threshold: Decimal = Decimal("0.80")
    # issue 5: with no sanctions list loaded, hold every declaration for manual screening (True)
    # or store a "not screened" note and let it go on (False: development and tests).
    screening_required: bool = False
    screening_goods_controls: Path | None = None  # None: the shipped illustrative snapshot
    screening_cites_path: Path | None = None  # the Index of CITES Species CSV, when licensed
    screening_cache_dir: Path | None = None  # built screening indexes (pickles); None: none
    screening_recent_days: int = 90  # a list reload re-screens parties of this many days
    random_inspection_rate: Decimal = Decimal("0.01")
    # issue 7: blend sentence embeddings into code suggestions (the optional embeddings extra):
    # off (default: results do not change with what happens to be installed), auto (when the
    # extra is installed) or on (the extra is required).
    classification_embeddings: Literal["off", "auto", "on"] = "off"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
