"""Teaching exports: figures, animations, scenes and tables, written atomically.

- :mod:`.atomic`      temp file in the target folder + ``os.replace``; never a partial file
- :mod:`.provenance`  the small record (software, model, level) stored in every file's metadata
- :mod:`thighview.progress` (not here): progress and cancel for long exports and imports
- :mod:`.movie`       the one GIF/MP4 writer (level sweep, turntable, pressure demo)
- :mod:`.figures`     2-D section PNG/SVG/PDF and the multi-level figure sheet (matplotlib)
- :mod:`.scene`       3-D PNG and frames from the render scene on an off-screen plotter
- :mod:`.gltf`        GLB of the scene (colours, visibility)
- :mod:`.tables`      CSV/JSON of areas, one level or a profile
- :mod:`.batch`       what ``thighview export`` and File › Export run: a request -> export jobs

Nothing here imports Qt; heavy libraries are imported inside the modules that need them.
"""

#: What ``thighview export --format`` and File › Export offer (kept here, import-free, so the CLI
#: can list them without loading the export machinery).
FIGURE_FORMATS = ("png", "svg", "pdf")
FORMATS = (*FIGURE_FORMATS, "png3d", "csv", "json", "glb", "gif", "mp4")
