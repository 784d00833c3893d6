"""``thighview info IN [--format table|json]``: what a model file holds and how it was read.

Per structure: the name as found in the file, the canonical name, its compartment, volume
(cm³) and bounds (mm); then the unit found and why, and the femur axis.
"""

from __future__ import annotations

import argparse

from thighview.cli_commands._input import add_input_options, load_input

HELP = "list the structures of a model file or folder (names, compartments, volumes, units, femur axis)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a model file or folder (meshes, label map, masks)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    add_input_options(parser)


def _bounds(row: dict) -> str:
    lo, hi = row["bounds_mm"]
    return " ".join(f"{a:.0f}..{b:.0f}" for a, b in zip(lo, hi))


def _print_table(summary: dict) -> None:
    rows = [(r["name_in_file"], r["structure"] if r["known"] else f"{r['structure']} (unknown)", r["compartment"],
             f"{r['volume_cm3']:.1f}", _bounds(r), "yes" if r["closed"] else "NO (open)")
            for r in summary["structures"]]
    header = ("name in file", "structure", "compartment", "volume cm³", "bounds x y z (mm)", "closed")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"{summary['source']}: {len(rows)} structures, {summary['side']} thigh, read as {summary['format']}")
    units = summary["units"]
    print(f"units: {units['found_in_file']} in the file ({units['reason']}); shown in mm")
    axis = summary["femur_axis"]
    single = summary["single_section"]
    if single is not None:
        scale = f"; {single['scale']}" if single["scale"] else ""
        print(f"a single section ({single['kind']}), cut in its own plane; normal {axis['direction']}{scale}")
        for colour, found in single["colours"].items():
            print(f"  colour {colour}: {found['name'] or 'no entry of the colour map (its own region)'}, "
                  f"{found['pixels']:,} px, {found['area_cm2']:.2f} cm²")
    elif axis["found"]:
        levels = f"femur: {axis['femur']}" if axis.get("femur") else f"levels are fractions of {axis['levels_of']}"
        print(f"{axis['name']}: from {axis['origin_mm']} towards {axis['direction']}, {axis['length_mm']:.0f} mm long"
              f"\n{levels}")
    else:
        print(f"femur axis: none ({axis['reason']})")
    if summary.get("client"):
        print(f"built from measurements: {summary['client']['described']}")
        for warning in summary["client"]["warnings"]:
            print(f"  note: {warning}")
    if summary["dropped_other_side"]:
        print(f"other thigh left out: {', '.join(summary['dropped_other_side'])}")
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def run(args: argparse.Namespace) -> int:
    import json

    from thighview.io.summary import model_summary

    summary = model_summary(load_input(args.file, args))
    if args.format == "json":
        print(json.dumps(summary, indent=2))
    else:
        _print_table(summary)
    return 0
