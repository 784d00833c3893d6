"""``thighview areas [MODEL] --level 0.5``: section areas per structure or compartment.

Output formats: a readable table (units in the heading), CSV (one row per structure or
compartment and level), or JSON in the schema documented in :mod:`thighview.section` (one
object for one level, a list for several).
"""

from __future__ import annotations

import argparse

from thighview.cli_commands._input import LEVEL_HELP, add_input_options
import math

from thighview.errors import LevelError

HELP = "areas per structure or compartment (cm²) at levels along the femur"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", help="a model file or folder (default: the built-in thigh)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--level", help=f"the level, {LEVEL_HELP} (default 50%%)")
    where.add_argument("--level-cm", type=float, metavar="CM", help="centimetres from the proximal femur end")
    where.add_argument("--level-mm", type=float, metavar="MM", help="millimetres from the proximal femur end")
    where.add_argument("--levels", metavar="SPEC",
                       help="several levels: START:STOP:STEP (STOP included) like 10%%:90%%:10%% or a list like "
                            "25%%,50%%,75%% (fractions such as 0.25 work too)")
    parser.add_argument("--by", choices=("muscle", "compartment"), default="muscle",
                        help="one row per structure (muscle) or per compartment (default: muscle)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table",
                        help="output format (default: table)")
    parser.add_argument("--overlap-rule", choices=("tissue", "halfway"), default="tissue",
                        help="who counts an area two structures' sections both cover: tissue = bone before muscle "
                             "before fascia before fat before skin, two muscles split along the halfway line "
                             "(default); halfway = always split along the halfway line")
    add_input_options(parser)


def parse_levels(spec: str) -> list[float]:
    """``"0.1:0.9:0.1"`` -> [0.1, 0.2, ..., 0.9] (stop included); ``"0.2,0.5"`` -> [0.2, 0.5]."""
    from thighview.cli_commands._input import level_fraction

    try:
        if ":" not in spec:
            levels = [level_fraction(part) for part in spec.split(",") if part.strip()]
        else:
            start, stop, step = (level_fraction(part) for part in spec.split(":"))
            if not step > 0 or stop < start:
                raise ValueError
            count = math.floor((stop - start) / step + 1e-9) + 1
            levels = [round(start + i * step, 12) for i in range(count)]
    except ValueError:  # a LevelError of one level (1.5: outside the femur) says it best itself
        raise LevelError(f"cannot read levels '{spec}' (use START:STOP:STEP like 10%:90%:10%, "
                         "or a list like 25%,50%)") from None
    if not levels:
        raise LevelError(f"no levels in '{spec}'")
    if len(levels) > 10_000:
        raise LevelError(f"'{spec}' asks for {len(levels)} levels; at most 10000")
    return levels


def run(args: argparse.Namespace) -> int:
    import json

    from thighview.cli_commands._input import level_fraction, load_input, section_levels
    from thighview.section import SectionEngine

    model = load_input(args.model, args)
    engine = SectionEngine(model, overlap_rule=args.overlap_rule)
    level_mm = args.level_mm if args.level_cm is None else 10.0 * args.level_cm
    if level_mm is not None:
        section_levels(model, [level_mm], [])  # a single section refuses it
        sections = [engine.section(level_mm=level_mm)]
    else:
        asked = parse_levels(args.levels) if args.levels is not None else None if args.level is None else [
            level_fraction(args.level)]
        sections = [engine.section(level) for level in section_levels(model, asked, [0.5])]
    if args.format == "json":
        documents = [s.to_dict(model.name) for s in sections]
        print(json.dumps(documents[0] if len(documents) == 1 else documents, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        print(_csv(sections, model.name, args.by), end="")
    else:
        print("\n\n".join(_table(s, model, args.by) for s in sections))
    return 0


def _rows(section, by: str) -> list[tuple[str, str, float, float | None, float]]:
    """(name, compartment, area cm², % of muscle, % of total), grouped by compartment, largest first."""
    from thighview.anatomy import Compartment

    order = list(Compartment)
    if by == "compartment":
        keys = sorted(section.compartment_areas_cm2, key=order.index)
        return [(c.value, c.value, section.compartment_areas_cm2[c], section.percent_of_muscle(c),
                 section.percent_of_total(c)) for c in keys]
    names = sorted(section.areas_cm2, key=lambda n: (order.index(section.compartments[n]), -section.areas_cm2[n]))
    return [(n, section.compartments[n].value, section.areas_cm2[n], section.percent_of_muscle(n),
             section.percent_of_total(n)) for n in names]


def _csv(sections, model_name: str, by: str) -> str:
    """One row per structure (with its compartment) or per compartment, and level; units in the header."""
    import csv
    import io

    per_structure = by == "muscle"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["model", "level", "level_mm", *(["structure"] if per_structure else []), "compartment",
                     "area_cm2", "percent_of_muscle", "percent_of_total"])
    for section in sections:
        for name, compartment, area, of_muscle, of_total in _rows(section, by):
            writer.writerow([model_name, f"{section.level:.6g}", f"{section.level_mm:.2f}",
                             *([name] if per_structure else []), compartment, f"{area:.4f}",
                             "" if of_muscle is None else f"{of_muscle:.2f}", f"{of_total:.2f}"])
    return out.getvalue()


def _table(section, model, by: str) -> str:
    from thighview import anatomy
    from thighview.anatomy import Compartment

    per_structure = by == "muscle"
    header = ["structure", "compartment"] if per_structure else ["compartment"]
    header += ["area cm²", "% muscle", "% total"]
    body, absent = [], []
    for name, compartment, area, of_muscle, of_total in _rows(section, by):
        if area == 0.0 and per_structure:
            absent.append(anatomy.label_of(name).lower())
            continue
        names = [anatomy.label_of(name), Compartment(compartment).label] if per_structure else \
            [Compartment(name).label]  # the app's words: "Other muscle", not other_muscle
        body.append([*names, f"{area:.2f}", "" if of_muscle is None else f"{of_muscle:.1f}", f"{of_total:.1f}"])
    blank = [""] if per_structure else []
    dropped = ", ".join(anatomy.label_of(n).lower() for n in section.without_area)
    without = f" (without {dropped})" if dropped else ""  # named next to every total that leaves it out
    body.append([f"All muscle{without}", *blank, f"{section.muscle_area_cm2:.2f}",
                 "100.0" if section.muscle_area_cm2 else "", f"{_share(section):.1f}"])
    body.append([f"Whole section{without}", *blank, f"{section.total_area_cm2:.2f}", "", "100.0"])
    text_columns = len(header) - 3
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < text_columns else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    axis = model.femur_axis
    where = (f"a single section ({model.flat.kind})" if model.flat is not None else
             f"level {section.where} ({section.level_mm:.1f} mm from the piece's proximal end)" if section.where else
             f"level {section.level * 100:.1f}% of {axis.length_name} = {section.level_mm / 10:.1f} cm from its proximal end")
    lines = [f"{model.name} ({model.side} thigh): {where}",
             *([f"femur: {axis.describe()}"] if axis.piece is not None and model.flat is None else []),
             "areas in cm²; shares in % of all muscle area and of the whole section at this level",
             line(header), *(line(row) for row in body)]
    coverage = ", ".join(f"{c.label.lower()} {f * 100:.0f}%" for c, f in section.bone_coverage.items())
    lines.append(f"bone coverage (share of the femur's outline bordered by each compartment): {coverage or 'none'}")
    if absent:
        lines.append("not present at this level: " + ", ".join(absent))
    if section.envelope_note:
        lines.append(f"envelope: {section.envelope_note}")
    if section.overlaps:
        rule = ("bone before muscle before fascia before fat before skin; two of a kind split along the halfway "
                "line" if section.overlap_rule == "tissue" else "split along the halfway line")
        pairs = "; ".join(f"{anatomy.label_of(o.first).lower()} / {anatomy.label_of(o.second).lower()} "
                          f"{o.area_cm2:.2f}" for o in section.overlaps)
        lines.append(f"overlaps (cm², each counted once: {rule}): {pairs}")
    for name, change in section.repaired.items():
        lines.append(f"{anatomy.label_of(name).lower()}: its outline crosses itself here; repaired to a valid "
                     f"outline ({change:+.2f} cm²)")
    for reason in dict.fromkeys(section.without_area.values()):
        names = [n for n, r in section.without_area.items() if r == reason]
        lines.append(f"{reason} at this level, so no area: " + ", ".join(names))
    return "\n".join(lines)


def _share(section) -> float:
    total = section.total_area_cm2
    return 100.0 * section.muscle_area_cm2 / total if total > 0 else 0.0
