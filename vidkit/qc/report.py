"""A QC report: one :class:`Item` per check, each green, amber or red with a plain sentence
and the numbers it was judged on; a report's status is its worst item's."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["STATUSES", "Item", "QcReport", "Status", "worst"]

Status = Literal["green", "amber", "red"]

#: The statuses, best first.
STATUSES: tuple[Status, ...] = ("green", "amber", "red")


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of ``statuses`` (green when there are none)."""
    return max(statuses, key=STATUSES.index, default="green")


@dataclass(frozen=True, slots=True)
class Item:
    """One check's verdict: ``check`` (``av_offset``, ``captions``, ...), its ``status``, one
    plain ``sentence`` saying what was found, and the measured ``numbers`` behind it."""

    check: str
    status: Status
    sentence: str
    numbers: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "sentence": self.sentence,
            "numbers": dict(self.numbers),
        }

    @staticmethod
    def from_dict(raw: Mapping[str, Any]) -> Item:
        status = str(raw["status"])
        if status not in STATUSES:
            raise ValueError(f"unknown QC status {status!r}")
        return Item(
            str(raw["check"]), status, str(raw["sentence"]),
            dict(raw.get("numbers", {})),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class QcReport:
    """The checks of one rendered file (``subject``: what was checked, e.g. ``scene 2``)."""

    items: Sequence[Item]
    subject: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return worst(item.status for item in self.items)

    def item(self, check: str) -> Item:
        """The item of ``check`` (KeyError if the report has none)."""
        for item in self.items:
            if item.check == check:
                return item
        raise KeyError(check)

    def flagged(self, *, at_least: Status = "amber") -> list[Item]:
        """The items at ``at_least`` or worse."""
        floor = STATUSES.index(at_least)
        return [i for i in self.items if STATUSES.index(i.status) >= floor]

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "status": self.status,
            "items": [item.to_dict() for item in self.items],
            "facts": dict(self.facts),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @staticmethod
    def from_dict(raw: Mapping[str, Any]) -> QcReport:
        return QcReport(
            tuple(Item.from_dict(i) for i in raw.get("items", ())),
            str(raw.get("subject", "")),
            dict(raw.get("facts", {})),
        )

    @staticmethod
    def from_json(text: str) -> QcReport:
        return QcReport.from_dict(json.loads(text))
