"""Per-field parse accuracy of the grammar alone vs the grammar + the MiniLM fallback, on the paraphrase set.

    .venv/bin/python benchmarks/bench_parse_fallback.py [file.jsonl] [--errors] [--allow-torch]

The fallback is Engine.parse on the bundled model (inference/prompting.py): the grammar reads the prompt, then the
offline MiniLM (ONNX Runtime + tokenizers, lenscraft_core/models/minilm) picks the nearest label description for
each field the grammar left open or guessed. By default torch is blocked (sys.modules["torch"] = None), as inside
Blender, so this measures the encoder the add-on would use. Both halves of the set are scored (split by sha256 of the
prompt text, even = dev, odd = test, as benchmarks/parse_accuracy.py --half): the grammar was written on dev only,
so test is the honest number. Counting is lenscraft_core.evaluate.paraphrases.score_parses (a field is right when
the parser states it with the expected label; a no-camera prompt is right when it is rejected).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path


def half(rows: list[dict], which: str) -> list[dict]:
    """The dev (even sha256 of the text) or test (odd) half: the split benchmarks/parse_accuracy.py --half uses."""
    parity = 0 if which == "dev" else 1
    return [r for r in rows if int(hashlib.sha256(r["text"].encode()).hexdigest(), 16) % 2 == parity]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(Path(__file__).parent / "data" / "paraphrases.jsonl"))
    ap.add_argument("--errors", action="store_true", help="list the test-half prompts the fallback changed")
    ap.add_argument("--min-cos", type=float, nargs="+", help="also score the fallback at these similarity "
                    "thresholds (inference.prompting.FALLBACK_MIN_COS, the shipped one, is always scored)")
    ap.add_argument("--allow-torch", action="store_true", help="do not block torch (the encoder may then be "
                    "sentence-transformers instead of ONNX)")
    args = ap.parse_args(argv)
    if not args.allow_torch:
        sys.modules["torch"] = None  # type: ignore[assignment]  # as inside Blender: `import torch` fails

    from lenscraft_core.errors import LensCraftError
    from lenscraft_core.evaluate.paraphrases import load_paraphrases, score_parses
    from lenscraft_core.inference.engine import Engine
    from lenscraft_core.prompt import parse_prompt
    from lenscraft_core.vocabulary import FIELD_NAMES

    try:
        rows = load_paraphrases(args.path)
    except LensCraftError as e:
        sys.exit(str(e))
    engine = Engine.load(None, runtime="onnx")
    engine.prompt_fallback = True  # what this benchmark measures (off by default)
    encoder = engine.text_encoder()
    if encoder is None:
        sys.exit(f"no text encoder for the bundled model: {engine.text_note or 'MiniLM not found'}")
    print(f"text encoder: {type(encoder).__name__} ({encoder.id}); torch "
          f"{'allowed' if args.allow_torch else 'blocked'}; runtime {engine.runtime_name}")

    from lenscraft_core.inference import prompting

    shipped = prompting.FALLBACK_MIN_COS
    thresholds = [shipped] + [c for c in args.min_cos or [] if c != shipped]
    for which in ("test", "dev"):
        part = half(rows, which)
        results = [("grammar", score_parses(part, parse_prompt)[0], _extra(part, parse_prompt, LensCraftError))]
        for cos in thresholds:
            prompting.FALLBACK_MIN_COS = cos
            name = "+MiniLM" + (f" {cos:g}" if len(thresholds) > 1 else "")
            results.append((name, score_parses(part, engine.parse)[0], _extra(part, engine.parse, LensCraftError)))
        prompting.FALLBACK_MIN_COS = shipped
        grammar = results[0][1]
        print(f"\n{which} half ({len(part)} prompts); MiniLM fallback at cosine >= {shipped:g} (shipped)")
        print(f"{'field':12s}" + "".join(f"{name:>17s}" for name, _, _ in results))
        for f in FIELD_NAMES:
            if f in grammar["n"]:
                print(f"{f:12s}" + "".join(f"{r['right'][f]:5d}/{r['n'][f]:<4d}{100 * r['accuracy'][f]:6.1f}%"
                                           for _, r, _ in results))
        print(f"{'all fields':12s}" + "".join(f"{100 * r['all_fields']:16.1f}%" for _, r, _ in results))
        if grammar["n_none"]:
            print(f"{'none reject':12s}" + "".join(f"{r['n_rejected']:5d}/{r['n_none']:<4d}"
                                                   f"{100 * r['none_rejected']:6.1f}%" for _, r, _ in results))
        print(f"{'wrong reject':12s}" + "".join(f"{r['wrongly_rejected']:17d}" for _, r, _ in results))
        print(f"{'extra fields':12s}" + "".join(f"{x:17d}" for _, _, x in results))
        print(f"{'ms/prompt':12s}" + "".join(f"{r['ms_per_prompt']:17.3f}" for _, r, _ in results))
        if args.errors and which == "test":
            _print_changes(part, parse_prompt, engine.parse, LensCraftError)
    print("\nextra fields: fields stated that the line's labels do not have (a field the prompt never set would be "
          "set on the shot); not counted by the accuracy above.")
    return 0


def _extra(rows: list[dict], parse, error) -> int:
    """How many fields the parser states beyond a line's labels (over the camera prompts)."""
    n = 0
    for r in rows:
        if r["labels"]:
            try:
                n += len(set(parse(r["text"]).explicit) - set(r["labels"]))
            except error:
                pass
    return n


def _print_changes(rows: list[dict], grammar, both, error) -> None:
    """Each prompt whose stated labels the fallback changed, marked + (now right) or - (now wrong)."""
    def stated(parse, text):
        try:
            it = parse(text)
        except error:
            return {}
        return {f: it.labels[f] for f in it.explicit}

    print("\nfallback changes (test half): + now right, - now wrong, ~ neither")
    for r in rows:
        a, b = stated(grammar, r["text"]), stated(both, r["text"])
        for f in sorted(set(a) | set(b)):
            if a.get(f) != b.get(f):
                want = r["labels"].get(f)
                mark = "+" if b.get(f) == want else "-" if a.get(f) == want or want is None else "~"
                print(f"  {mark} {f:9s} {str(a.get(f)):18s} -> {str(b.get(f)):18s} want {str(want):18s} "
                      f"{r['text']!r}")


if __name__ == "__main__":
    raise SystemExit(main())
