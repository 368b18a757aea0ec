"""Embedded LLM speed: tokens per second, and the time to plan the example project.

Run: .venv/bin/python benchmarks/llm.py [--runs 3] [--threads 1]

The baseline, in the same process on the same loaded model, is raw llama.cpp generation without a
grammar (``Llama.create_completion`` on a short prompt, 128 tokens). Against it:

- grammar-constrained generation through :meth:`EmbeddedLLM.chat_json` (chat template, the JSON
  schema as a llama.cpp grammar), same token budget, a string too long to end early;
- ``plan_scenes`` on the example project's script (``data/example/project.toml``, its four
  narrations as paragraphs) into a fresh catalogue, end to end: prompt, generation, validation,
  the plan stored and the scenes written. Each run starts cold (no cache hit).

Tokens per second count generated tokens over wall time, prompt evaluation included (the
baseline's prompt is 8 tokens, the plan's about 600). Runs are interleaved; medians are shown.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.api import Workspace  # noqa: E402
from vidkit.authoring import plan_scenes  # noqa: E402
from vidkit.backends.llm.embedded import EmbeddedLLM  # noqa: E402
from vidkit.backends.llm.protocol import Reply  # noqa: E402
from vidkit.config import parse_config  # noqa: E402
from vidkit.models import require  # noqa: E402

TOKENS = 128


def example_script() -> str:
    data = tomllib.loads((REPO / "data" / "example" / "project.toml").read_text(encoding="utf-8"))
    return "\n\n".join(" ".join(scene["narration"].split()) for scene in data["scenes"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vidkit-bench-llm-") as tmp:
        raw = {"models": {"dir": str(REPO / "models")}, "catalogue": {"path": "cat.duckdb"},
               "assets": {"root": "assets"}}  # fmt: skip
        config = parse_config(raw, Path(tmp) / "config.toml")
        llm = EmbeddedLLM(
            require(config, "smollm2-135m"), threads=args.threads, context_tokens=2048
        )
        load_start = time.monotonic()
        llm._load()
        load_s = time.monotonic() - load_start
        script = example_script()
        messages = [
            {"role": "system", "content": "You write narration. Answer with JSON."},
            {"role": "user", "content": "Write a long narration about Python lists."},
        ]
        # a string that must run past the budget, so every run generates exactly TOKENS tokens
        schema = {
            "type": "object",
            "properties": {"narration": {"type": "string", "minLength": TOKENS * 8,
                                         "maxLength": TOKENS * 16}},
            "required": ["narration"],
        }  # fmt: skip

        def baseline() -> Reply:
            return llm.generate("Python lists are", max_tokens=TOKENS)

        def grammar() -> Reply:
            return llm.chat_json(messages, schema, max_tokens=TOKENS)  # type: ignore[arg-type]

        def plan() -> Reply:  # a fresh catalogue each run, so nothing comes from the cache
            folder = Path(tempfile.mkdtemp(dir=tmp))
            ws = Workspace(parse_config(raw, folder / "config.toml"))
            slug = "list-comprehensions"
            ws.create_project(slug, "List comprehensions")
            start = time.monotonic()
            result = plan_scenes(ws, slug, llm, script=script)
            seconds = time.monotonic() - start
            assert not result.cached
            return Reply(str(len(result.scenes)), result.tokens, "stop", seconds)

        cases: dict[str, Callable[[], Reply]] = {
            "baseline: raw llama.cpp, no grammar": baseline,
            "chat_json, schema grammar": grammar,
            "plan_scenes(example project)": plan,
        }
        results: dict[str, list[Reply]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, case in cases.items():
                results[name].append(case())

    words = len(script.split())
    print(f"SmolLM2-135M Q4_1, n_threads={args.threads}, model load {load_s:.2f} s; "
          f"medians of {args.runs} runs")  # fmt: skip
    print(f"{'':38} {'tokens':>7} {'wall s':>7} {'tok/s':>7} {'ratio':>6}")
    base_rate = statistics.median(r.tokens / r.seconds for r in results[next(iter(cases))])
    for name, replies in results.items():
        tokens = statistics.median(r.tokens for r in replies)
        wall = statistics.median(r.seconds for r in replies)
        rate = statistics.median(r.tokens / r.seconds for r in replies)
        print(f"{name:38} {tokens:7.0f} {wall:7.2f} {rate:7.1f} {rate / base_rate:6.2f}")
    scenes = [int(r.text) for r in results["plan_scenes(example project)"]]
    print(f"example script: {words} words; planned into {scenes} scene(s) per run")


if __name__ == "__main__":
    main()
