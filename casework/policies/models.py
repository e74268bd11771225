"""PolicySetting: one overridden timescale of one municipality."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.extensions import db


class PolicySetting(db.Model):
    """A municipality's value for one ``workflows.policy.Policy`` field."""

    __tablename__ = "policy_setting"

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"),
                                                 primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<PolicySetting {self.municipality_id} {self.key}={self.value!r}>"
