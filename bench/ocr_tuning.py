"""OCR configuration sweep: time per new image and dev-set accuracy for each setting, side by side.

    python -m bench ocr-tuning [--images 30] [--realdev 20] [--only det640,default]

Every configuration gets its own in-process Assistant (real pipeline, embedded engine). Images
are visited in turn and, for each image, every configuration answers its questions in a rotated
order, so load on a shared machine falls on all configurations alike. The first question of an
image pays for OCR (timed: wall and this process's CPU time); the second one reuses the cached
perception. Prints the trade-off table and writes bench/results/ocr_tuning.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.accuracy.generate import DEFAULT_OUT, generate
from bench.accuracy.run import RESULTS, load_items, make_assistant, quiet_logs
from bench.accuracy.score import is_correct
from bench.realdev import DEFAULT_DATA

# name -> (OcrSettings overrides, ImageSettings overrides); "default" is the shipped configuration
# (OpenVINO at the CPU's best precision, 2 threads per run, det_limit_side_len 960, no classifier,
# ocr_max_side 2048).
CONFIGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "default": ({}, {}),
    "ov_f32": ({"precision": "f32"}, {}),
    "ort": ({"backend": "onnxruntime"}, {}),
    "ort_par": ({"backend": "onnxruntime", "threads": 1, "rec_workers": 2}, {}),  # the default until 23 Nov 2026
    "threads1": ({"threads": 1}, {}),
    "det640": ({"det_limit_side_len": 640}, {}),
    "det736": ({"det_limit_side_len": 736}, {}),
    "det1280": ({"det_limit_side_len": 1280}, {}),
    "cls_on": ({"use_cls": True}, {}),
    "side1024": ({}, {"ocr_max_side": 1024}),
    "side1536": ({}, {"ocr_max_side": 1536}),
}


def pick_items(devset: Path, images: int, realdev: int) -> list[tuple[Path, dict[str, Any]]]:
    """(root, item) pairs: the items of the first `images` dev-set images, then `realdev` real items."""
    items = load_items(devset / "items.jsonl")
    keep = list(dict.fromkeys(it["image"] for it in items))[:images]
    chosen = [(devset, it) for it in items if it["image"] in keep]
    if realdev and (DEFAULT_DATA / "items.jsonl").exists():
        real = load_items(DEFAULT_DATA / "items.jsonl")
        step = max(1, len(real) // realdev)
        chosen += [(DEFAULT_DATA, {**it, "condition": "real"}) for it in real[::step][:realdev]]
    return chosen


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--images", type=int, default=30, help="dev-set images (about 2 questions each)")
    parser.add_argument("--realdev", type=int, default=20, help="realdev items too (large scans: ocr_max_side matters)")
    parser.add_argument("--only", default="", help="comma-separated config names (default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS / "ocr_tuning.json")
    parser.add_argument("--verbose", action="store_true", help="show the service's log lines (engine errors …)")
    args = parser.parse_args(argv)
    quiet_logs(args.verbose)
    if not (args.devset / "items.jsonl").exists():
        generate(out_dir=args.devset)
    names = [n for n in args.only.split(",") if n] or list(CONFIGS)
    chosen = pick_items(args.devset, args.images, args.realdev)
    groups: dict[str, list[tuple[Path, dict[str, Any]]]] = defaultdict(list)
    for root, item in chosen:
        groups[str(root / item["image"])].append((root, item))

    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    right: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    with tempfile.TemporaryDirectory(prefix="visdesk-ocr-") as tmp:
        assistants = {}
        for name in names:
            (Path(tmp) / name).mkdir()
            assistants[name] = make_assistant(Path(tmp) / name, ocr=CONFIGS[name][0], images=CONFIGS[name][1])
        try:
            for g, (path, group) in enumerate(groups.items()):
                order = names[g % len(names) :] + names[: g % len(names)]
                for name in order:
                    for k, (_, item) in enumerate(group):
                        started, cpu_started = time.perf_counter(), time.process_time()
                        try:
                            reply = assistants[name].generate(image=Path(path), text=item["question"])
                        except Exception as exc:  # an engine bug must not end the sweep; it scores as wrong
                            reply = f"error: {exc}"
                        if k == 0:
                            wall[name].append((time.perf_counter() - started) * 1000)
                            cpu[name].append((time.process_time() - cpu_started) * 1000)
                        bucket = "realdev" if item.get("condition") == "real" else "devset"
                        right[name][bucket][0] += is_correct(reply, item)
                        right[name][bucket][1] += 1
                if (g + 1) % 5 == 0:
                    print(f"  {g + 1}/{len(groups)} images", flush=True)
        finally:
            for assistant in assistants.values():
                assistant.close()

    rows = {}
    for name in names:
        acc = {b: round(ok / n, 4) for b, (ok, n) in right[name].items() if n}
        rows[name] = {
            "ocr": CONFIGS[name][0],
            "images": CONFIGS[name][1],
            "wall_ms_p50": round(statistics.median(wall[name]), 1),
            "cpu_ms_p50": round(statistics.median(cpu[name]), 1),
            "accuracy": acc,
            "items": {b: n for b, (_, n) in right[name].items()},
        }
    base = rows.get("default", next(iter(rows.values())))
    print(f"\n{'config':<10} {'wall p50':>9} {'vs dflt':>8} {'cpu p50':>9} {'devset acc':>11} {'realdev acc':>12}")
    for name, row in rows.items():
        ratio = row["wall_ms_p50"] / base["wall_ms_p50"]
        dev, real = (_pct(row["accuracy"].get(b)) for b in ("devset", "realdev"))
        print(f"{name:<10} {row['wall_ms_p50']:>9.0f} {ratio:>7.2f}x {row['cpu_ms_p50']:>9.0f} {dev:>11} {real:>12}")
    report = {"benchmark": "ocr_tuning", "groups": len(groups), "items": len(chosen), "configs": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
