"""``thighview profile [MODEL] --out FILE``: areas along the whole femur as CSV, JSON or a PNG chart.

CSV and JSON are written by :mod:`thighview.export.tables` (units and provenance in the
file); the chart draws one line per compartment (``--by compartment``) or per muscle.
"""

from __future__ import annotations

import argparse

from thighview.cli_commands._input import add_input_options

HELP = "the area profile along the femur (areas at many levels) to a .csv, .json or .png file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", help="a model file or folder (default: the built-in thigh)")
    parser.add_argument("--out", required=True, metavar="FILE", help="output file: .csv, .json or .png")
    parser.add_argument("--levels", metavar="SPEC",
                        help="START:STOP:STEP (STOP included) or a list; default 100 evenly spaced levels")
    parser.add_argument("--by", choices=("muscle", "compartment"), default="compartment",
                        help="chart: one line per compartment, or one per muscle (default: compartment)")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    add_input_options(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from thighview.cli_commands.areas import parse_levels
    from thighview.errors import ExportError
    from thighview.export.atomic import check_target
    from thighview.export.provenance import provenance
    from thighview.cli_commands._input import load_input, refuse_single_section
    from thighview.section import SectionEngine

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".json", ".png"):
        raise ExportError(f"the profile is written as .csv, .json or .png, not '{suffix or out.name}'", out)
    check_target(out, force=args.force)  # refuse before the work, not after
    model = load_input(args.model, args)
    refuse_single_section(model, "profile along the femur")
    profile = SectionEngine(model).profile(parse_levels(args.levels) if args.levels else None)
    record = provenance(model, content="area profile")
    if suffix == ".png":
        from thighview.export.figures import save_figure

        save_figure(profile_chart(profile, model.name, by=args.by), out, record=record, force=args.force)
    else:
        from thighview.export.tables import write_profile

        write_profile(out, profile, model_name=model.name, record=record, force=args.force)
    print(f"wrote {out} ({len(profile.levels)} levels)")
    return 0


def profile_chart(profile, model_name: str, *, by: str = "compartment", size_px: tuple[int, int] = (1600, 1000)):
    """Area (cm²) against level (% of femur length), one coloured line per compartment or per muscle."""
    from matplotlib import patheffects
    from matplotlib.figure import Figure

    from thighview import anatomy

    dpi = 200
    fig = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
    ax = fig.add_subplot()
    x = profile.levels * 100.0
    if by == "compartment":
        series = [(c.label, anatomy.compartment_colour(c), a) for c, a in profile.compartment_areas_cm2.items()]
    else:  # muscles only, in the vocabulary's order: fat and bone would flatten them
        order = {name: i for i, name in enumerate(anatomy.canonical_names())}
        muscles = sorted((n for n, c in profile.compartments.items() if c.is_muscle),
                         key=lambda n: (order.get(n, len(order)), n))
        series = [(anatomy.label_of(n), anatomy.structure_colour(n), profile.areas_cm2[n]) for n in muscles]
    outline = [patheffects.Stroke(linewidth=2.8, foreground="#555555"), patheffects.Normal()]  # pale colours
    for label, colour, areas in series:
        ax.plot(x, areas, color=colour, label=label, linewidth=1.8, path_effects=outline)
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("level along the femur (% of its length from the proximal end)")
    ax.set_ylabel("area (cm²)")
    ax.set_title(f"Area profile: {model_name}", loc="left")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6 if by == "muscle" else 8, ncol=2 if len(series) > 8 else 1, frameon=False,
              loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig
