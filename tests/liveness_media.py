"""Test media for liveness, made at test time from the test photos (never committed).

A live head turn moves the nose against the eyes because the nose stands out of
the face's plane. ``turn`` imitates that on a photo by giving it a head-shaped
depth map and rotating it (a 2-D stand-in for parallax); ``tilt_flat``
does what an attacker can do with a print or a screen: turn, shift or tilt the
whole flat picture, which keeps the nose where the eyes put it. The y4m writer
feeds Chromium's fake camera. Files go to pytest's tmp_path only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

FRAME_W, FRAME_H = 640, 480


def load_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def jpeg(rgb: np.ndarray, quality: int = 90) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=quality)
    return out.getvalue()


def frame_around_face(rgb: np.ndarray, points: Sequence[tuple[float, float]], iod_px: float = 70.0
                      ) -> tuple[np.ndarray, np.ndarray]:
    """A 640x480 camera-like frame with the face centred and eyes ``iod_px`` apart; new landmarks too."""
    p = np.asarray(points, dtype=np.float64)
    eyes = (p[0:2].mean(0), p[2:4].mean(0))
    iod = float(np.linalg.norm(eyes[0] - eyes[1]))
    scale = iod_px / iod
    img = Image.fromarray(rgb).resize((max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale))),
                                      Image.LANCZOS)
    centre = p[:5].mean(0) * scale
    left, top = round(centre[0] - FRAME_W / 2), round(centre[1] - FRAME_H / 2 + 20)
    canvas = Image.new("RGB", (FRAME_W, FRAME_H), (128, 128, 128))
    canvas.paste(img, (-left, -top))
    return np.asarray(canvas), p * scale - np.array([left, top])


def _sample(rgb: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """Bilinear sampling of ``rgb`` at float coordinates (sx, sy)."""
    h, w = rgb.shape[:2]
    sx = np.clip(sx, 0, w - 1.001)
    sy = np.clip(sy, 0, h - 1.001)
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    img = rgb.astype(np.float32)
    top = img[y0, x0] * (1 - fx) + img[y0, x0 + 1] * fx
    bottom = img[y0 + 1, x0] * (1 - fx) + img[y0 + 1, x0 + 1] * fx
    return np.clip(top * (1 - fy) + bottom * fy, 0, 255).astype(np.uint8)


def depth_map(shape: tuple[int, int], points: np.ndarray, nose_depth: float = 0.5) -> np.ndarray:
    """A smooth head-shaped depth (in pixels) with the nose ``nose_depth`` inter-eye distances out."""
    p = np.asarray(points, dtype=np.float64)
    iod = float(np.linalg.norm(p[0:2].mean(0) - p[2:4].mean(0)))
    eyes = p[:4].mean(0)
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    head = np.exp(-((xs - eyes[0]) ** 2 / (2 * (1.3 * iod) ** 2) + (ys - eyes[1] - 0.4 * iod) ** 2 / (2 * (1.7 * iod) ** 2)))
    nose = np.exp(-((xs - p[4][0]) ** 2 + (ys - p[4][1] + 0.35 * iod) ** 2) / (2 * (0.32 * iod) ** 2))
    return iod * (0.6 * head + (nose_depth + 0.1) * nose)


def turn(rgb: np.ndarray, points: np.ndarray, yaw_deg: float = 0.0, pitch_deg: float = 0.0,
         nose_depth: float = 0.6) -> np.ndarray:
    """Rotate a photo's face as if it had depth: x' = x cos + z sin along each row (and y' per column).

    A stand-in for a real head turn (whose nose moves against the eyes); the
    mapping stays monotonic for turns up to about 30 degrees.
    """
    z = depth_map(rgb.shape[:2], points, nose_depth)
    out = rgb
    h, w = rgb.shape[:2]
    if yaw_deg:
        a = np.radians(yaw_deg)
        xs = np.arange(w, dtype=np.float64)
        cx = float(np.asarray(points)[:4, 0].mean())
        src = np.empty((h, w))
        for y in range(h):
            moved = cx + (xs - cx) * np.cos(a) + z[y] * np.sin(a)
            src[y] = np.interp(xs, np.maximum.accumulate(moved), xs)
        out = _sample(out, src, np.mgrid[0:h, 0:w][0].astype(np.float64))
    if pitch_deg:
        b = np.radians(pitch_deg)
        ys = np.arange(h, dtype=np.float64)
        cy = float(np.asarray(points)[:4, 1].mean())
        src = np.empty((h, w))
        for x in range(w):
            moved = cy + (ys - cy) * np.cos(b) + z[:, x] * np.sin(b)
            src[:, x] = np.interp(ys, np.maximum.accumulate(moved), ys)
        out = _sample(out, np.mgrid[0:h, 0:w][1].astype(np.float64), src)
    return out


def tilt_flat(rgb: np.ndarray, yaw_deg: float = 0.0, pitch_deg: float = 0.0, roll_deg: float = 0.0,
              shift: tuple[float, float] = (0.0, 0.0), scale: float = 1.0, focal: float = 600.0) -> np.ndarray:
    """The whole frame as a flat card turned in 3-D and seen by a pinhole camera (a print or a screen)."""
    h, w = rgb.shape[:2]
    a, b, c = np.radians([yaw_deg, pitch_deg, roll_deg])
    ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    rot = rz @ rx @ ry
    k = np.array([[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1]])
    # The card is the plane z=focal in front of the camera; homography from card to image.
    card = np.array([[1 / scale, 0, -w / 2 / scale], [0, 1 / scale, -h / 2 / scale], [0, 0, 1]])
    plane = np.column_stack([rot[:, 0], rot[:, 1], [shift[0], shift[1], focal]])
    hom = k @ plane @ np.diag([1, 1, 1]) @ card
    inv = np.linalg.inv(hom)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    src = inv @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    sx, sy = (src[0] / src[2]).reshape(h, w), (src[1] / src[2]).reshape(h, w)
    out = _sample(rgb, sx, sy)
    outside = (sx < 0) | (sx > w - 1) | (sy < 0) | (sy > h - 1)
    out[outside] = 40
    return out


def live_frames(rgb: np.ndarray, points: np.ndarray, moves: Sequence[str], per_move: int, *, seed: int = 1,
                degrees: float = 35.0, centre_frames: int = 0) -> list[np.ndarray]:
    """Frames of a face doing ``moves`` (left/right/nod), ``per_move`` frames each, with small jitter.

    ``centre_frames`` straight-ahead frames go before the first move and between moves.
    """
    rng = np.random.default_rng(seed)
    where = {"left": (degrees, 0.0), "right": (-degrees, 0.0), "nod": (0.0, -degrees * 0.8), "centre": (0.0, 0.0)}
    frames: list[np.ndarray] = []

    def shot(dx: float, dy: float) -> np.ndarray:
        img = turn(rgb, points, dx, dy) if (dx or dy) else rgb
        img = np.roll(img, (int(rng.integers(-3, 4)), int(rng.integers(-3, 4))), axis=(0, 1))
        noise = rng.normal(0, 2.0, img.shape)  # camera noise: no two live frames are identical
        return np.clip(img + noise, 0, 255).astype(np.uint8)

    for move in moves:
        frames += [shot(0, 0) for _ in range(centre_frames)]
        dx, dy = where[move]
        ramp = np.linspace(0.7, 1.0, per_move)
        frames += [shot(dx * r, dy * r) for r in ramp]
    frames += [shot(0, 0) for _ in range(centre_frames)]
    return frames


def write_y4m(frames: Sequence[np.ndarray], path: Path, fps: int = 10) -> Path:
    """Raw 4:2:0 YUV frames Chromium's fake camera reads (--use-file-for-fake-video-capture)."""
    h, w = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            f = rgb.astype(np.float32)
            y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
            u = 128 - 0.168736 * f[..., 0] - 0.331264 * f[..., 1] + 0.5 * f[..., 2]
            v = 128 + 0.5 * f[..., 0] - 0.418688 * f[..., 1] - 0.081312 * f[..., 2]
            sub = lambda c: c.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))  # noqa: E731
            out.write(b"FRAME\n")
            for plane in (y, sub(u), sub(v)):
                out.write(np.clip(plane + 0.5, 0, 255).astype(np.uint8).tobytes())
    return path


def face_frame(engine: object, photo: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The photo as a 640x480 camera frame around its face, with the frame's five landmarks."""
    obs = engine.observe_many([photo])[0]  # type: ignore[attr-defined]
    rgb = np.asarray(Image.open(io.BytesIO(photo)).convert("RGB"))
    return frame_around_face(rgb, obs.landmarks)


def step_frames(frame: np.ndarray, points: np.ndarray, steps: Sequence[str], per_step: int,
                seed: int = 1) -> list[tuple[int, int, bytes]]:
    """(step, seq, JPEG) for a person doing ``steps`` (the first is "centre"), as a kiosk would send them."""
    shots = live_frames(frame, points, steps, per_step, seed=seed)
    return [(i // per_step, i % per_step, jpeg(img)) for i, img in enumerate(shots)]
