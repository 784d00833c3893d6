"""Two thighs side by side: both sections at the same relative level, areas and their differences.

Each side's numbers are exactly that model's own section numbers (the same :class:`Section`
objects ``thighview areas`` prints, rounded the same way); differences are B - A, in cm² for
areas and in percentage points for shares of the muscle area. The CLI's ``compare``, the
paired export figure and the GUI's compare view all read a :class:`Comparison`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from thighview import anatomy
from thighview.anatomy import Compartment

if TYPE_CHECKING:
    from thighview.model import ThighModel
    from thighview.section import Section, SectionEngine


@dataclass(frozen=True)
class Row:
    """One compartment or structure in both sections (areas in cm², shares in % of muscle)."""

    key: str
    kind: str  # "compartment" | "structure"
    label: str
    area_a: float
    area_b: float
    share_a: float | None
    share_b: float | None

    @property
    def difference_cm2(self) -> float:
        return self.area_b - self.area_a

    @property
    def difference_pp(self) -> float | None:
        if self.share_a is None or self.share_b is None:
            return None
        return self.share_b - self.share_a


def _order(compartment: Compartment) -> int:
    return list(Compartment).index(compartment)


@dataclass
class Comparison:
    """Sections of model A and model B at the same fraction of their femur lengths."""

    a: Section
    b: Section
    name_a: str
    name_b: str

    @property
    def level(self) -> float:
        return self.a.level

    def compartment_rows(self) -> list[Row]:
        keys = sorted(set(self.a.compartment_areas_cm2) | set(self.b.compartment_areas_cm2), key=_order)
        return [Row(c.value, "compartment", c.label, self.a.compartment_areas_cm2.get(c, 0.0),
                    self.b.compartment_areas_cm2.get(c, 0.0), self.a.percent_of_muscle(c),
                    self.b.percent_of_muscle(c)) for c in keys]

    def structure_rows(self) -> list[Row]:
        compartments = {**self.b.compartments, **self.a.compartments}
        names = sorted(set(self.a.areas_cm2) | set(self.b.areas_cm2),
                       key=lambda n: (_order(compartments[n]), -max(self.a.areas_cm2.get(n, 0.0),
                                                                    self.b.areas_cm2.get(n, 0.0))))

        def share(section: Section, name: str) -> float | None:
            if name in section.compartments:
                return section.percent_of_muscle(name)
            return 0.0 if compartments[name].is_muscle else None

        return [Row(n, "structure", anatomy.label_of(n), self.a.areas_cm2.get(n, 0.0), self.b.areas_cm2.get(n, 0.0),
                    share(self.a, n), share(self.b, n)) for n in names]

    def rows(self, by: str = "both") -> list[Row]:
        """Compartments, structures, or both (compartments first)."""
        return ((self.compartment_rows() if by in ("both", "compartment") else [])
                + (self.structure_rows() if by in ("both", "muscle") else []))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: each side rounded as :meth:`Section.to_dict` rounds it, and B - A."""

        def entry(row: Row) -> dict[str, Any]:
            def side(area: float, share: float | None) -> dict[str, Any]:
                return {"area_cm2": round(area, 6), "percent_of_muscle": None if share is None else round(share, 4)}

            pp = row.difference_pp
            return {"a": side(row.area_a, row.share_a), "b": side(row.area_b, row.share_b),
                    "difference": {"area_cm2": round(row.difference_cm2, 6),
                                   "percentage_points": None if pp is None else round(pp, 4)}}

        return {
            "models": {"a": self.name_a, "b": self.name_b},
            "level": round(self.level, 6),
            "level_mm": {"a": round(self.a.level_mm, 4), "b": round(self.b.level_mm, 4)},
            "units": {"area": "cm2", "share": "percent of muscle area", "difference": "B - A"},
            "compartments": {r.key: entry(r) for r in self.compartment_rows()},
            "structures": {r.key: entry(r) for r in self.structure_rows()},
        }

    def to_csv(self, by: str = "both") -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["level", "kind", "name", "a_area_cm2", "b_area_cm2", "difference_cm2", "a_percent_of_muscle",
                         "b_percent_of_muscle", "difference_percentage_points"])
        for r in self.rows(by):
            pp = r.difference_pp
            writer.writerow([f"{self.level:.6g}", r.kind, r.key, f"{r.area_a:.4f}", f"{r.area_b:.4f}",
                             f"{r.difference_cm2:.4f}", cell(r.share_a, 2), cell(r.share_b, 2), cell(pp, 2)])
        return out.getvalue()

    def to_table(self, by: str = "both") -> str:
        header = ["", "A cm²", "B cm²", "B−A cm²", "A %", "B %", "B−A pp"]
        body = [[("  " if r.kind == "structure" else "") + r.label, f"{r.area_a:.2f}", f"{r.area_b:.2f}",
                 cell(r.difference_cm2, 2, signed=True), cell(r.share_a, 1), cell(r.share_b, 1), cell(r.difference_pp, 1,
                                                                                                 signed=True)]
                for r in self.rows(by) if r.area_a or r.area_b]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
        lines = [f"A: {self.name_a} ({self.a.level_mm / 10:.1f} cm below its proximal end)",
                 f"B: {self.name_b} ({self.b.level_mm / 10:.1f} cm below its proximal end)",
                 f"both at {self.level * 100:.0f}% of femur length; areas in cm², shares in % of all muscle area, "
                 "differences B − A (pp = percentage points)"]
        for row in [header, *body]:
            lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        return "\n".join(lines)


def cell(value: float | None, digits: int, signed: bool = False) -> str:
    """A number for a table ('' for none); a difference keeps its sign, and never shows '-0.0'."""
    if value is None:
        return ""
    value = round(value, digits) + 0.0
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def compare(model_a: ThighModel, model_b: ThighModel, level: float, *, engine_a: SectionEngine | None = None,
            engine_b: SectionEngine | None = None) -> Comparison:
    """Both models cut at ``level`` (fraction of each one's femur length from its proximal end)."""
    from thighview.section import SectionEngine

    engine_a = engine_a or SectionEngine(model_a)
    engine_b = engine_b or SectionEngine(model_b)
    return Comparison(engine_a.section(level), engine_b.section(level), model_a.name, model_b.name)
