"""Checking the film: the joined scenes after loudness normalisation. Scenes are rendered at
their narration's own level and the film is brought to the target as a whole when they are
joined, so the delivery figures — integrated loudness and true peak — are judged here, on
what the assembly measured in the finished file's encoded sound."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vidkit.config import QcConfig
from vidkit.qc.report import Item, QcReport, Status

__all__ = ["check_film"]


def check_film(report: Mapping[str, Any], limits: QcConfig, *, subject: str = "film") -> QcReport:
    """The film's items from its assembly ``report`` (``loudness_lufs``, ``true_peak_dbtp``:
    measured on the finished file)."""
    lufs = report.get("loudness_lufs")
    peak = report.get("true_peak_dbtp")
    items = [_loudness(lufs, limits), _true_peak(peak, lufs, limits)]
    return QcReport(tuple(items), subject, {"duration_ms": report.get("duration_ms")})


def _loudness(lufs: float | None, limits: QcConfig) -> Item:
    numbers = {"integrated_lufs": lufs, "target_lufs": limits.loudness_lufs}
    if lufs is None:
        return Item("film_loudness", "amber", "the film's loudness was not measured", numbers)
    off = lufs - limits.loudness_lufs
    tolerance = limits.loudness_tolerance_lu
    status: Status = "green"
    if abs(off) > 2 * tolerance:
        status = "red"
    elif abs(off) > tolerance:
        status = "amber"
    said = f"the film plays at {lufs:.1f} LUFS (target {limits.loudness_lufs:g} ± {tolerance:g})"
    return Item("film_loudness", status, said, numbers)


def _true_peak(peak: float | None, lufs: float | None, limits: QcConfig) -> Item:
    numbers = {"true_peak_dbtp": peak, "limit_dbtp": limits.true_peak_dbtp}
    if peak is None:
        silent = lufs is not None and lufs <= -70
        return Item(
            "film_true_peak", "green" if silent else "amber",
            "the film is silent" if silent else "the film's true peak was not measured", numbers,
        )  # fmt: skip
    status: Status = "green"
    if peak > 0:
        status = "red"
    elif peak > limits.true_peak_dbtp:
        status = "amber"
    said = f"the film's true peak is {peak:.1f} dBTP (at most {limits.true_peak_dbtp:g})"
    return Item("film_true_peak", status, said, numbers)
