"""Vectorised numpy ray caster: shaded ellipsoids and boxes over a floor and a wall.

Each primitive is intersected analytically with the camera rays of the pixels inside its
screen bounding box; a z-buffer keeps the nearest hit. Shading is ambient + Lambert from one
directional light plus a weak fill light; the floor receives a soft cast shadow (shadow rays at
half resolution). Besides the image, the renderer returns the exact person silhouette mask and
the depth buffer.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.synth.camera import Camera
from formcheck.synth.shapes import Primitives


@dataclass(frozen=True)
class Scene:
    """Room and lighting. Colours RGB 0..1; ``light``: world direction *toward* the light."""

    wall_z: float = -1.6  # world Z of the back wall (m; the camera is on the +Z side)
    wall: tuple[float, float, float] = (0.80, 0.78, 0.72)
    skirting: tuple[float, float, float] = (0.93, 0.93, 0.92)
    floor: tuple[float, float, float] = (0.58, 0.43, 0.30)
    plank_m: float = 0.16  # floor plank width (m)
    light: tuple[float, float, float] = (0.35, 0.85, 0.55)
    ambient: float = 0.38
    diffuse: float = 0.62
    fill: float = 0.18
    shadow: float = 0.55  # fraction of light removed in the floor shadow
    blur_sigma: float = 0.65  # anti-aliasing blur (pixels)


@dataclass(frozen=True)
class Frame:
    """A rendered frame: ``image`` (H, W, 3) uint8 **BGR**, ``mask`` (H, W) bool person
    silhouette, ``depth`` (H, W) float32 metres along the view axis (inf = background)."""

    image: np.ndarray
    mask: np.ndarray
    depth: np.ndarray


def _unit(v) -> np.ndarray:
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def _bbox(cam: Camera, pos, right, up, fwd, centre, radius, pad=2.0):
    """Integer pixel box (x0, x1, y0, y1) enclosing a sphere, or None when not visible."""
    rel = centre - pos
    z = float(rel @ fwd)
    if z <= radius + 0.05:
        return None
    f = cam.focal_px
    cx, cy = cam.centre_px
    px = cx + f * float(rel @ right) / z
    py = cy - f * float(rel @ up) / z
    rp = f * radius / math.sqrt(max(z * z - radius * radius, 1e-6)) * 1.05 + pad
    x0, x1 = max(int(px - rp), 0), min(int(px + rp) + 1, cam.width)
    y0, y1 = max(int(py - rp), 0), min(int(py + rp) + 1, cam.height)
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, x1, y0, y1


def render(prims: Primitives, cam: Camera, scene: Scene = Scene(), *, noise_sigma: float = 0.0,
           rng: np.random.Generator | None = None) -> Frame:
    """Render primitives seen by ``cam`` in ``scene``.

    ``noise_sigma``: std-dev of added Gaussian sensor noise in 8-bit grey levels (0 = none).
    """
    W, H = cam.width, cam.height
    pos, right, up, fwd = cam.basis()
    f = cam.focal_px
    cx, cy = cam.centre_px
    us = ((np.arange(W) - cx) / f).astype(np.float64)[None, :]  # ray = fwd + u*right + v*up
    vs = (-(np.arange(H) - cy) / f).astype(np.float64)[:, None]
    light = _unit(scene.light)
    fill_l = _unit([-light[0], 0.3, light[2]])

    bg, floor, floor_pts = _static_background(cam, scene)
    shadow = _floor_shadow(cam, floor, floor_pts, light, prims)
    rgb = bg * (1.0 - scene.shadow * shadow)[..., None]
    depth = np.full((H, W), np.inf, np.float32)
    pid = np.full((H, W), -1, np.int32)

    def shade(n: np.ndarray, colour: np.ndarray) -> np.ndarray:
        lam = np.clip(n @ light, 0, None)
        fil = np.clip(n @ fill_l, 0, None)
        k = scene.ambient + scene.diffuse * lam + scene.fill * fil
        return k[:, None] * colour[None, :]

    # --- ellipsoids -----------------------------------------------------------------------------
    for i in range(len(prims.centres)):
        c, R, se = prims.centres[i], prims.axes[i], prims.semi[i]
        box = _bbox(cam, pos, right, up, fwd, c, float(se.max()))
        if box is None:
            continue
        x0, x1, y0, y1 = box
        u, v = us[:, x0:x1], vs[y0:y1]
        A, B, C = (fwd @ R) / se, (right @ R) / se, (up @ R) / se
        o = ((pos - c) @ R) / se
        a = (A @ A) + 2 * u * (A @ B) + 2 * v * (A @ C) + u * u * (B @ B) + 2 * u * v * (B @ C) + v * v * (C @ C)
        hb = (o @ A) + u * (o @ B) + v * (o @ C)
        cc = o @ o - 1.0
        disc = hb * hb - a * cc
        hit = disc > 0
        if not hit.any():
            continue
        t = np.where(hit, (-hb - np.sqrt(np.where(hit, disc, 0.0))) / a, np.inf)
        dz = depth[y0:y1, x0:x1]
        win = hit & (t > 0) & (t < dz)
        if not win.any():
            continue
        yy, xx = np.nonzero(win)
        tw = t[yy, xx]
        uu, vv = u[0, xx], v[yy, 0]
        q = o[None, :] + tw[:, None] * (A[None, :] + uu[:, None] * B[None, :] + vv[:, None] * C[None, :])
        n = (q / se) @ R.T
        n /= np.linalg.norm(n, axis=1, keepdims=True)
        dz[yy, xx] = tw
        rgb[y0 + yy, x0 + xx] = shade(n, prims.colours[i])
        pid[y0 + yy, x0 + xx] = i if prims.person[i] else -2
    # --- boxes ------------------------------------------------------------------------------------
    for j in range(len(prims.box_centres)):
        c, R, hf = prims.box_centres[j], prims.box_axes[j], prims.box_half[j]
        box = _bbox(cam, pos, right, up, fwd, c, float(np.linalg.norm(hf)))
        if box is None:
            continue
        x0, x1, y0, y1 = box
        u, v = us[0, x0:x1][None, :, None], vs[y0:y1, 0][:, None, None]
        d = (fwd @ R)[None, None, :] + u * (right @ R)[None, None, :] + v * (up @ R)[None, None, :]
        o = (pos - c) @ R
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = (-hf - o) / d, (hf - o) / d
        tmin3 = np.minimum(t1, t2)
        tn, tx = np.nanmax(tmin3, axis=2), np.nanmin(np.maximum(t1, t2), axis=2)
        dz = depth[y0:y1, x0:x1]
        win = (tx >= tn) & (tn > 0) & (tn < dz)
        if not win.any():
            continue
        yy, xx = np.nonzero(win)
        k = np.nanargmax(tmin3[yy, xx], axis=1)
        nl = np.zeros((len(yy), 3))
        nl[np.arange(len(yy)), k] = -np.sign(d[yy, xx, k])
        n = nl @ R.T
        dz[yy, xx] = tn[yy, xx]
        rgb[y0 + yy, x0 + xx] = shade(n, prims.box_colours[j])
        pid[y0 + yy, x0 + xx] = -2

    if scene.blur_sigma > 0:
        rgb = cv2.GaussianBlur(rgb, (0, 0), scene.blur_sigma)
    img = rgb * 255.0
    if noise_sigma > 0:
        rng = rng if rng is not None else np.random.default_rng(0)
        img += rng.normal(0.0, noise_sigma, img.shape).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)[:, :, ::-1]
    return Frame(np.ascontiguousarray(img), pid >= 0, depth)


@functools.lru_cache(maxsize=8)
def _static_background(cam: Camera, scene: Scene):
    """Shaded wall and floor without shadow (float32 RGB), floor mask and floor points (m)."""
    pos, right, up, fwd = cam.basis()
    f = cam.focal_px
    cx, cy = cam.centre_px
    us = ((np.arange(cam.width) - cx) / f)[None, :]
    vs = (-(np.arange(cam.height) - cy) / f)[:, None]
    light = _unit(scene.light)
    dy = fwd[1] + us * right[1] + vs * up[1]
    dzw = fwd[2] + us * right[2] + vs * up[2]
    dx = fwd[0] + us * right[0] + vs * up[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        t_floor = np.where(dy < -1e-9, -pos[1] / dy, np.inf)
        t_wall = np.where(dzw < -1e-9, (scene.wall_z - pos[2]) / dzw, np.inf)
    floor = t_floor < t_wall
    wy = pos[1] + np.where(np.isfinite(t_wall), t_wall, 0) * dy
    wall_k = scene.ambient + scene.diffuse * max(light[2], 0.0)
    shade_v = (0.94 + 0.06 * np.clip(wy / 2.5, 0, 1))[..., None]
    wall_col = np.where((wy < 0.09)[..., None], np.array(scene.skirting), np.array(scene.wall))
    rgb = (wall_col * shade_v * wall_k).astype(np.float32)
    tf = np.where(floor, t_floor, 0.0)
    P = np.stack([pos[0] + tf * dx, np.zeros_like(tf), pos[2] + tf * dzw], axis=-1)
    plank = np.floor(P[..., 2] / scene.plank_m)
    grain = 1.0 + 0.05 * np.sin(plank * 2.7) + 0.02 * np.sin(P[..., 0] * 9.0 + plank)
    seam = np.abs(P[..., 2] / scene.plank_m - np.round(P[..., 2] / scene.plank_m)) < 0.03
    floor_k = (scene.ambient + scene.diffuse * max(light[1], 0.0)) * grain * np.where(seam, 0.8, 1.0)
    fcol = np.array(scene.floor)[None, None, :] * floor_k[..., None]
    rgb[floor] = fcol[floor]
    for arr in (rgb, floor, P):
        arr.setflags(write=False)
    return rgb, floor, P


def _floor_shadow(cam, floor, floor_pts, light, prims) -> np.ndarray:
    """Soft shadow factor 0..1 on floor pixels (0 elsewhere), shadow rays at half resolution."""
    H, W = floor.shape
    step = 2
    fl = floor[::step, ::step]
    P = floor_pts[::step, ::step]
    sh = np.zeros(fl.shape, bool)
    hs, ws = fl.shape
    if light[1] <= 0.05:
        return np.zeros((H, W), np.float32)
    allc = list(zip(prims.centres, prims.axes, prims.semi, strict=True))
    allc += [(c, R, hf * 1.0) for c, R, hf in zip(prims.box_centres, prims.box_axes, prims.box_half,
                                                  strict=True)]
    for c, R, se in allc:
        r = float(np.max(se))
        cf = c - (c[1] / light[1]) * light  # centre's shadow on the floor
        rs = r / light[1] + 0.05
        corners = cf + np.array([[dx, 0, dz] for dx in (-rs, rs) for dz in (-rs, rs)])
        xy, z = cam.project(corners)
        if np.any(z <= 0) or np.isnan(xy).any():
            x0, x1, y0, y1 = 0, ws, 0, hs
        else:
            x0 = max(int(xy[:, 0].min() / step) - 1, 0)
            x1 = min(int(xy[:, 0].max() / step) + 2, ws)
            y0 = max(int(xy[:, 1].min() / step) - 1, 0)
            y1 = min(int(xy[:, 1].max() / step) + 2, hs)
        if x0 >= x1 or y0 >= y1:
            continue
        Pr = P[y0:y1, x0:x1]
        o = ((Pr - c) @ R) / se
        dl = (light @ R) / se
        a = dl @ dl
        b = o @ dl
        cc = (o * o).sum(-1) - 1.0
        disc = b * b - a * cc
        hit = (disc > 0) & (-b + np.sqrt(np.clip(disc, 0, None)) > 0)
        sh[y0:y1, x0:x1] |= hit & fl[y0:y1, x0:x1]
    s = cv2.GaussianBlur(sh.astype(np.float32), (0, 0), 1.5)
    return cv2.resize(s, (W, H), interpolation=cv2.INTER_LINEAR) * floor
