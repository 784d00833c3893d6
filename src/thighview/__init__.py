"""ThighView: the human thigh in cross-section.

The package root stays import-light (no numpy, VTK or Qt) so that ``thighview --help``
starts fast; heavy modules are imported where they are used.
"""

__version__ = "0.1.0"
