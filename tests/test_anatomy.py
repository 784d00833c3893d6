"""The vocabulary maps the names real tools write onto canonical structures and compartments."""

import pytest

from thighview import anatomy
from thighview.anatomy import Compartment, match_name


@pytest.mark.parametrize(
    ("raw", "canonical", "side"),
    [
        ("Vastus_Lateralis_R", "vastus_lateralis", "right"),
        ("vastus lateralis muscle", "vastus_lateralis", None),
        ("femur_left", "femur", "left"),
        ("quadriceps_femoris_right", "quadriceps_femoris", "right"),
        ("thigh_medial_compartment_left", "adductors", "left"),
        ("thigh_posterior_compartment_right", "hamstrings", "right"),
        ("Long head of biceps femoris", "biceps_femoris_long_head", None),
        ("BicepsFemorisShortHead", "biceps_femoris_short_head", None),
        ("Right Semitendinosus", "semitendinosus", "right"),
        ("m. gracilis", "gracilis", None),
        ("iliotibial band", "fascia_lata", None),
        ("sartorius.nii.gz", "sartorius", None),
        ("Segment_1", None, None),
    ],
)
def test_match_name(raw, canonical, side):
    match = match_name(raw)
    assert match.canonical == canonical
    assert match.side == side


def test_compartments_of_the_main_muscles():
    assert anatomy.compartment_of("vastus_lateralis") is Compartment.QUADRICEPS
    assert anatomy.compartment_of("gracilis") is Compartment.ADDUCTORS
    assert anatomy.compartment_of("semimembranosus") is Compartment.HAMSTRINGS
    assert anatomy.compartment_of("sartorius") is Compartment.OTHER_MUSCLE
    assert anatomy.compartment_of("no_such_thing") is Compartment.UNASSIGNED


def test_braus_colours_are_red_green_blue():
    for compartment, channel in zip(anatomy.MAIN_COMPARTMENTS, range(3)):
        rgb = anatomy.hex_to_rgb(anatomy.compartment_colour(compartment))
        assert max(range(3), key=lambda i: rgb[i]) == channel


def test_muscle_shades_are_distinct_within_a_compartment():
    for compartment in anatomy.MAIN_COMPARTMENTS:
        names = [s.name for s in anatomy.STRUCTURES if s.compartment is compartment and not s.is_group]
        colours = {anatomy.structure_colour(n) for n in names}
        assert len(colours) == len(names)
