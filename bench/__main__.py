"""`python -m bench` lists the benchmarks; `python -m bench NAME [args]` runs one (args go to it)."""

from __future__ import annotations

import importlib.util
import runpy
import sys

# name -> (module or package run as __main__, one-line description)
BENCHMARKS: dict[str, tuple[str, str]] = {
    "generate": ("bench.accuracy.generate", "render the synthetic dev set into bench/results/devset"),
    "accuracy": ("bench.accuracy.run", "synthetic dev set through the embedded pipeline, accuracy by category"),
    "paraphrase": ("bench.accuracy.paraphrase", "dev-set questions reworded: polite, indirect, terse, cross-language"),
    "realdev": ("bench.realdev", "the 150 real images of /work/shared/data/realdev, accuracy by category"),
    "latency": ("bench.latency", "/v1/chat latency over loopback HTTP: new image vs follow-up, with baselines"),
    "ocr-tuning": ("bench.ocr_tuning", "OCR settings sweep: time per image and dev-set accuracy of each"),
    "serving": ("bench.serving", "cache hits and overload behaviour of the served app"),
    "gpu": ("bench.gpu", "transformers engine on the GPU"),
    "kb": ("bench.kb_retrieval", "knowledge-base retrieval quality"),
    "products": ("bench.products", "product-photo questions (verdicts, accessories, specs; zh/en) on phone photos"),
}


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "list"):
        print("usage: python -m bench NAME [options]   (python -m bench NAME --help for its options)\n")
        for name, (module, about) in BENCHMARKS.items():
            mark = "" if _available(module) else "  (not present)"
            print(f"  {name:<11} {about}{mark}")
        return 0
    name, rest = args[0], args[1:]
    if name not in BENCHMARKS or not _available(BENCHMARKS[name][0]):
        print(f"unknown benchmark {name!r}; run `python -m bench` for the list", file=sys.stderr)
        return 2
    sys.argv = [f"python -m bench {name}", *rest]
    runpy.run_module(BENCHMARKS[name][0], run_name="__main__", alter_sys=True)  # packages run their __main__
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
