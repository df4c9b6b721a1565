"""Product identification by image features: ORB keypoints, ratio test, RANSAC homography.

Why ORB + homography: a customer's photo of a product is the catalog picture seen from another
angle, scale and light, in front of clutter. ORB descriptors are binary (fast Hamming matching,
no patents, in every OpenCV build), the ratio test drops ambiguous matches, and counting the
matches consistent with one homography separates a real view of a flat face (nameplate, box
front) from chance matches. Catalog descriptors are computed once at ingest and kept in the index.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

MAX_SIDE = 640  # images are matched at this size: enough detail for ORB, a few ms per image
N_FEATURES = 500
RATIO = 0.75  # Lowe's ratio test
MIN_GOOD = 12  # fewer good matches than this cannot give a trustworthy homography
MIN_INLIERS = 20  # RANSAC inliers needed to call it a match (unrelated images score 0 after the ratio test)
MIN_INLIER_RATIO = 0.2
# ORB finds no keypoint within edgeThreshold pixels of a border, so a side shorter than this has none;
# its image pyramid also fails an OpenCV assertion on sides of a pixel or two (a 1×1 upload).
EDGE_THRESHOLD = 31
MIN_SIDE = 2 * EDGE_THRESHOLD + 1


@dataclass(frozen=True)
class Features:
    points: np.ndarray  # (N, 2) float32 keypoint coordinates at the matching scale
    descriptors: np.ndarray  # (N, 32) uint8 ORB descriptors

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, points=self.points, descriptors=self.descriptors)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Features:
        with np.load(io.BytesIO(data)) as arrays:
            return cls(points=arrays["points"], descriptors=arrays["descriptors"])

    def __len__(self) -> int:
        return len(self.points)


@dataclass(frozen=True)
class FeatureMatch:
    inliers: int
    good: int

    @property
    def score(self) -> float:
        """0..1 confidence that grows with the inlier count (50 inliers ≈ certain)."""
        return min(1.0, self.inliers / 50)


def _gray(image: Image.Image) -> np.ndarray:
    image = image.convert("L")
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(image)


_NO_FEATURES = Features(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8))


def describe(image: Image.Image) -> Features:
    """ORB keypoints and descriptors of an image, downscaled to MAX_SIDE (none for images under MIN_SIDE)."""
    gray = _gray(image)
    if min(gray.shape[:2]) < MIN_SIDE:
        return _NO_FEATURES
    orb = cv2.ORB.create(nfeatures=N_FEATURES, fastThreshold=10, edgeThreshold=EDGE_THRESHOLD)
    keypoints, descriptors = orb.detectAndCompute(gray, None)
    if descriptors is None or not keypoints:
        return _NO_FEATURES
    points = np.array([kp.pt for kp in keypoints], dtype=np.float32)
    return Features(points, descriptors)


def is_match(result: FeatureMatch) -> bool:
    return result.inliers >= MIN_INLIERS and result.inliers >= MIN_INLIER_RATIO * result.good


class CatalogMatcher:
    """All catalog descriptors stacked in one matrix, matched in one pass.

    Why one pass over the whole catalog: the ratio test then compares a query keypoint's best
    match with the best match in *any* product, so features every product shares (the brand
    name, the nameplate's labels) are ambiguous and dropped, and only distinctive ones vote.
    """

    def __init__(self, catalog: dict[str, Features]) -> None:
        usable = {key: f for key, f in catalog.items() if len(f) >= MIN_GOOD}
        self.keys = list(usable)
        self._points = [usable[k].points for k in self.keys]
        self._owner = np.concatenate([np.full(len(usable[k]), i) for i, k in enumerate(self.keys)]) if usable else None
        self._offsets = np.cumsum([0, *[len(usable[k]) for k in self.keys]])
        self._descriptors = np.concatenate([usable[k].descriptors for k in self.keys]) if usable else None

    def __len__(self) -> int:
        return len(self.keys)

    def best(self, query: Features, limit: int = 2) -> list[tuple[str, FeatureMatch]]:
        """Catalog keys whose image matches the query, best first."""
        if self._owner is None or self._descriptors is None or len(query) < MIN_GOOD:
            return []
        # A matcher per call: searches run in concurrent worker threads and this one holds no index.
        pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(query.descriptors, self._descriptors, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
        by_owner: dict[int, list[cv2.DMatch]] = {}
        for m in good:
            by_owner.setdefault(int(self._owner[m.trainIdx]), []).append(m)
        results = []
        for owner, matches in by_owner.items():
            if len(matches) < MIN_GOOD:
                continue
            src = query.points[[m.queryIdx for m in matches]].reshape(-1, 1, 2)
            local = [m.trainIdx - self._offsets[owner] for m in matches]
            dst = self._points[owner][local].reshape(-1, 1, 2)
            _, mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0)
            result = FeatureMatch(int(mask.sum()) if mask is not None else 0, len(matches))
            if is_match(result):
                results.append((self.keys[owner], result))
        return sorted(results, key=lambda kr: -kr[1].inliers)[:limit]
