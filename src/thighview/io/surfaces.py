"""Closed surfaces for every label of a label map at once, with VTK's SurfaceNets.

One pass of :vtk:`vtkSurfaceNets3D` meshes every boundary of the map, external and between
labels, as a staircase of quads that encloses the voxels exactly. That one mesh is then
smoothed as a whole with a windowed-sinc low-pass filter (Taubin, Zhang & Golub, "Optimal
surface smoothing as filter design", 1996), which does not shrink: SurfaceNets' own
constrained Laplacian loses 3 % of a 12 mm cylinder's volume and 6 % of a 14 mm sphere's,
the filter here under 0.5 %. It runs on a float32 sparse averaging matrix (:func:`_smooth`),
about half the CPU time of :vtk:`vtkWindowedSincPolyDataFilter` on the same mesh.
Smoothing moves points only, so walls shared by two labels stay shared; the
copies of a point that SurfaceNets makes where a label touches itself along an edge are
joined again afterwards (:func:`_weld`), so every surface is closed. Each label's surface is
then the set of faces that border it, turned so that the normals point out of that label,
split into triangles.

Coordinates follow the image: voxel centres at the affine's positions, so a surface lands
where the image says (spacing, origin and direction, including a flip, are respected).
"""

from __future__ import annotations

import numpy as np

from thighview.progress import Stage

#: Windowed-sinc settings, chosen by eye and by numbers (a cylinder tilted across 2.5 mm
#: slices, a sphere, tests/io_samples.py's phantom, benchmarks/bench_import.py): 25 iterations
#: at pass band 0.001 with a Blackman window remove the terraces of a 2.5 mm slice spacing
#: (15-20 leave ripples) and keep volumes within 0.5 % of the voxels'. The Blackman window
#: smooths about as much as VTK's default window at equal iterations while shrinking less.
SMOOTHING_PASS_BAND = 0.001
SMOOTHING_ITERATIONS = 25


def _use_threads() -> None:
    """Let VTK's SMP filters (SurfaceNets) use every core."""
    from vtkmodules.vtkCommonCore import vtkSMPTools

    tools = vtkSMPTools()
    if tools.GetBackend() == "Sequential":
        tools.SetBackend("STDThread")


def _touches_edge(labels: np.ndarray) -> bool:
    """Whether any label reaches the image's edge (its surface must then be closed by padding)."""
    faces = (labels[0], labels[-1], labels[:, 0], labels[:, -1], labels[:, :, 0], labels[:, :, -1])
    return any(face.any() for face in faces)


def _vtk_image(labels: np.ndarray, spacing: np.ndarray):
    """A vtkImageData over ``labels`` without copying it where the memory order allows.

    VTK wants the first index fastest (Fortran order). NIfTI data usually is; a C-ordered
    array is handed over with its axes reversed instead, and the caller permutes the affine.
    Returns the image and the axis order used.
    """
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData

    order = (0, 1, 2)
    if not labels.flags.f_contiguous:
        if labels.flags.c_contiguous:
            order = (2, 1, 0)
            labels = labels.T
        else:
            labels = np.asfortranarray(labels)
    image = vtkImageData()
    image.SetDimensions(*labels.shape)
    image.SetSpacing(*spacing[list(order)])
    scalars = numpy_to_vtk(labels.ravel(order="F"), deep=False)
    scalars.SetName("labels")
    image.GetPointData().SetScalars(scalars)
    return image, order


def _surface_nets(image, values: list[int]):
    from vtkmodules.vtkFiltersCore import vtkSurfaceNets3D

    nets = vtkSurfaceNets3D()
    nets.SetInputData(image)
    nets.SetBackgroundLabel(0)
    for n, value in enumerate(values):
        nets.SetLabel(n, float(value))
    nets.SmoothingOff()
    nets.SetOutputMeshTypeToQuads()
    nets.Update()
    return nets.GetOutput()


def _weld(before: np.ndarray, after: np.ndarray, quads: np.ndarray, spacing: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """Join the copies SurfaceNets makes of a point where a label touches itself along an edge.

    Copies sit at one place before smoothing and drift apart during it, which would leave
    the surface open there; each group becomes one point at its copies' mean position.
    Welding before smoothing instead pulls the sheets that meet there through each other
    (9 % volume change on a noisy test map, against 5 % this way). Unsmoothed points lie on
    the half-voxel grid, so copies are found by their grid cell.
    """
    cell = np.round(before / spacing * 2.0).astype(np.int64)
    cell -= cell.min(axis=0)
    size = cell.max(axis=0) + 1
    key = cell[:, 0] + size[0] * (cell[:, 1] + size[1] * cell[:, 2])
    unique, inverse = np.unique(key, return_inverse=True)
    if len(unique) == len(key):
        return after, quads
    counts = np.bincount(inverse)
    merged = np.stack([np.bincount(inverse, weights=after[:, c]) for c in range(3)], axis=1) / counts[:, None]
    return merged, inverse[quads].astype(quads.dtype)


def _filter_coefficients(iterations: int, pass_band: float) -> np.ndarray:
    """Chebyshev coefficients of the Blackman-windowed sinc low-pass on the mesh spectrum.

    The cut-off is shifted (Newton's method) until the filter passes the pass band exactly
    (gain 1 there), which is what keeps the surface from shrinking.
    """
    i = np.arange(iterations + 1)
    a = np.pi * i / (iterations + 1)
    window = 0.42 + 0.5 * np.cos(a) + 0.08 * np.cos(2 * a)
    theta = np.arccos(1.0 - 0.5 * pass_band)
    at_pass_band = np.cos(i * theta)
    shift = 0.0
    for _ in range(100):
        cut = theta + shift
        c = np.concatenate([[cut / np.pi], 2.0 * np.sin(i[1:] * cut) / (i[1:] * np.pi)]) * window
        gain = c @ at_pass_band
        if abs(gain - 1.0) < 1e-9:
            break
        slope = np.concatenate([[1.0 / np.pi], 2.0 * np.cos(i[1:] * cut) / np.pi]) * window @ at_pass_band
        shift -= (gain - 1.0) / slope
    return c


def _neighbour_average(quads: np.ndarray, n: int):
    """The matrix that replaces each point by the mean of its neighbours along quad edges.

    Points on lines where three or more labels meet average the neighbours on every wall
    that meets there (as VTK's non-manifold smoothing does), which keeps the line between
    the walls; the mesh has no open borders (labels at the image's edge are padded).
    """
    from scipy.sparse import csr_matrix

    ring = quads[:, [1, 2, 3, 0]]
    rows = np.concatenate([quads.ravel(), ring.ravel()])
    cols = np.concatenate([ring.ravel(), quads.ravel()])
    edges = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
    edges.sum_duplicates()  # each edge once, however many quads share it
    count = np.diff(edges.indptr)
    weights = np.repeat((1.0 / np.maximum(count, 1)).astype(np.float32), count)
    return csr_matrix((weights, edges.indices, edges.indptr), shape=(n, n))


def _smooth(points: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """Non-shrinking smoothing of the whole multi-label mesh (points move, topology stays).

    The filter is a polynomial in the averaging matrix, evaluated by the Chebyshev recurrence:
    one sparse product per iteration, in float32 around the mesh's centre (a thousandth of a
    micrometre of rounding on a thigh-sized mesh).
    """
    average = _neighbour_average(quads, len(points))
    c = _filter_coefficients(SMOOTHING_ITERATIONS, SMOOTHING_PASS_BAND).astype(np.float32)
    centre = points.mean(axis=0)
    previous = (points - centre).astype(np.float32)
    current = 0.5 * (previous + average @ previous)
    result = c[0] * previous + c[1] * current
    for k in range(2, SMOOTHING_ITERATIONS + 1):
        following = average @ current
        following += current
        following -= previous  # (2 I - Laplacian) current - previous, Laplacian = I - average
        result += c[k] * following
        previous, current = current, following
    return result.astype(np.float64) + centre


def _split(points: np.ndarray, quads: np.ndarray, pairs: np.ndarray, values: list[int],
           progress: Stage) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Each label's closed surface: the quads bordering it, outward, as triangles.

    A quad between labels a and b faces out of a; for b it is turned. Listing every quad
    twice (as is, then turned) against the label it bounds and sorting that list once makes
    each label's quads one contiguous run.
    """
    side = np.concatenate([pairs[:, 0], pairs[:, 1]])
    side = side.astype(np.uint16 if side.max() < 2**16 else np.int64)  # 16 bits: a radix sort
    order = np.argsort(side, kind="stable")
    side = side[order]
    both_ways = np.concatenate([quads, quads[:, ::-1]])
    starts = np.searchsorted(side, values, side="left")
    stops = np.searchsorted(side, values, side="right")
    keep = np.zeros(len(points), dtype=bool)
    remap = np.zeros(len(points), dtype=quads.dtype)
    out = {}
    for n, (value, a, b) in enumerate(zip(values, starts, stops)):
        if a == b:
            continue
        corners = both_ways[order[a:b]]
        keep[:] = False
        keep[corners] = True
        used = np.flatnonzero(keep)
        remap[used] = np.arange(len(used), dtype=quads.dtype)
        triangles = remap[corners[:, [0, 1, 2, 0, 2, 3]]].reshape(-1, 3)
        out[value] = (points[used], triangles)
        progress((n + 1) / len(values), "splitting surfaces by label")
    return out


def label_surfaces(labels: np.ndarray, affine: np.ndarray, values: list[int] | None = None, *,
                   smoothing: bool = True, progress: Stage | None = None
                   ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Surface ``(vertices, faces)`` of each label value, in the affine's world coordinates.

    ``labels``: integer array indexed ``[i, j, k]``; ``affine``: 4x4 voxel index -> world;
    ``values``: the labels wanted (default: every non-zero value present).
    """
    from vtkmodules.util.numpy_support import vtk_to_numpy

    progress = progress or Stage()
    start = np.zeros(3)
    if _touches_edge(labels):  # close surfaces cut by the image's edge
        labels = np.pad(labels, 1)
        start -= 1.0
    if values is None:
        values = [int(v) for v in np.unique(labels) if v != 0]
    if not values:
        return {}
    affine = np.asarray(affine, dtype=float)
    linear = affine[:3, :3]
    spacing = np.linalg.norm(linear, axis=0)
    origin = linear @ start + affine[:3, 3]

    _use_threads()
    image, order = _vtk_image(labels, spacing)
    rotation = (linear / spacing)[:, list(order)]
    progress(0.05, f"meshing {len(values)} labels")
    mesh = _surface_nets(image, values)
    points = vtk_to_numpy(mesh.GetPoints().GetData()).astype(np.float64)
    quads = vtk_to_numpy(mesh.GetPolys().GetConnectivityArray()).astype(np.int32).reshape(-1, 4)
    pairs = vtk_to_numpy(mesh.GetCellData().GetArray("BoundaryLabels")).reshape(-1, 2)
    smoothed = points
    if smoothing:
        progress(0.4, "smoothing surfaces")
        smoothed = _smooth(points, quads)
    points, quads = _weld(points, smoothed, quads, spacing[list(order)])
    progress(0.8, "splitting surfaces by label")
    points = points @ rotation.T + origin
    if np.linalg.det(rotation) < 0:  # a mirrored grid turns every face inside out
        quads = quads[:, ::-1]
    return _split(points, quads, pairs, values, progress.sub(0.8, 1.0))
