"""Recordings (#11): dead-air analysis, transcription, tightening and rendering of a 10-minute
1080p30 live-coding recording, against a full decode and against auto-editor, in one run.

Run: .venv/bin/python benchmarks/recordings.py [--quick] [--auto-editor PATH] [--no-hour]

The recording is made once and cached in ``$VIDKIT_BENCH_DIR`` (default ``var/bench/``). It
looks like live coding: an editor into which code is typed in bursts, idle stretches, a blinking
cursor; H.264 (x264 ultrafast at constant quality, a keyframe every 2 s) + AAC. Its voice is real
speech: Piper sentences with silences of known lengths between them, some "um"s and "uh"s and a
few restarted phrases, keyboard clicks while typing and a low noise floor. What was said when,
and what the screen did in each pause, is kept beside it (``*.truth.json``).

Measured, each as wall seconds and x realtime (recording seconds / wall seconds), with the CPU
seconds of this process and its children (less sensitive to a shared machine's load):

1. dead-air analysis (``vidkit.recordings.analysis.analyse``, and its screen and speech halves
   apart) and, as its baseline, a full decode of the same file (``ffmpeg -i X -f null -``); the
   analysis's memory in a fresh process (its VmHWM, and the peak RSS of it and its ffmpeg
   children together, sampled) on the recording and on an hour-long file (six copies of the
   10-minute one joined by stream copy);
2. transcription: the ``transcribe`` stage with whisper tiny, from an empty cache;
3. the ``analyse`` stage (empty cache), ``tighten`` (the rules) and ``vidkit.render`` of a
   one-scene 1920x1080 project made from the recording (config.toml's defaults);
4. auto-editor on the same file: its default method (audio loudness), ``--margin 0.2s`` (the
   pause vidkit keeps each side of speech: keep_pause_ms / 2); its analysis alone
   (``--export timeline``) and its edit exported to MP4;
5. words lost: against the truth, the words each cut list cuts or clips (and the fillers it
   cuts); then both outputs (and the recording itself, for whisper's own misses) transcribed
   by whisper tiny, and the truth's spoken words (fillers and restarted words left out)
   missing from each, in order (the longest common subsequence of normalised words).

auto-editor: ``--auto-editor PATH``, ``$VIDKIT_AUTO_EDITOR`` or ``auto-editor`` on PATH. Its
newest release on PyPI (29.x) downloads its binary from GitHub on first run; where that is out
of reach, the last pure-Python release works (it wants ffmpeg and ffprobe on PATH)::

    python3 -m venv /tmp/ae-venv
    /tmp/ae-venv/bin/pip install --no-deps auto-editor==23.32.1   # yanked: pin it exactly
    /tmp/ae-venv/bin/pip install av==12.0.0 "pillow==10.*" "numpy<2" ae-ffmpeg
    apt-get install ffmpeg   # ffprobe

``--quick`` makes and measures a 1-minute recording (and a 6-minute "long" one) instead: a
smoke run of every step. ``--cbr 2500`` measures a copy at a constant 2500 kb/s padded with
filler data, as OBS's x264 writes in CBR mode.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import vidkit  # noqa: E402
from vidkit.audio import read_wav, write_wav  # noqa: E402
from vidkit.backends import registry  # noqa: E402
from vidkit.config import load_config  # noqa: E402
from vidkit.editing.recording import tighten, use_recording  # noqa: E402
from vidkit.media import ffmpeg_exe, probe  # noqa: E402
from vidkit.pipeline import Event  # noqa: E402
from vidkit.pipeline.graph import SceneGraph  # noqa: E402
from vidkit.recordings.analysis import analyse, screen_activity, speech_spans  # noqa: E402
from vidkit.recordings.rules import DEFAULT_FILLERS, rules_from  # noqa: E402

T = TypeVar("T")

#: Bump when the generated recording changes (its cache name carries it).
GENERATOR_VERSION = 1
BENCH_DIR = Path(os.environ.get("VIDKIT_BENCH_DIR", REPO / "var" / "bench"))
WIDTH, HEIGHT, FPS = 1920, 1080, 30
RATE = 22_050  # Piper's sample rate; the AAC track is 48 kHz stereo
SEED = 11

# What the speaker says, in order, round and round. No digits or symbols: the words must read
# back the same way from whisper.
SENTENCES = [
    "Hello everyone, and welcome back to the stream.",
    "Today we are going to build a small command line tool that counts words in text files.",
    "Let me open the editor and start with an empty module.",
    "First we need a function that reads a file and returns its lines.",
    "I will call it read lines, and it takes a path.",
    "We open the file with a context manager so that it is always closed.",
    "Now the counting part, which is the interesting bit.",
    "For every line we split on white space and add the words to a counter.",
    "The counter comes from the collections module in the standard library.",
    "Let me run this quickly to see whether it works at all.",
    "Okay, that printed the most common words, which is what we wanted.",
    "But there is a problem with punctuation stuck to the words.",
    "A regular expression will take care of that for us.",
    "We only keep letters and apostrophes, and we lower case everything.",
    "Now the same word with a capital letter is counted once.",
    "Next I want a proper interface with arguments.",
    "The argument parser gives us help text for free.",
    "We add an option for how many words to show.",
    "And another one that skips the very common words, like the and of.",
    "Let me write a quick test for the counting function.",
    "The test builds a tiny file in a temporary folder and checks the result.",
    "It passes, which is a good sign, but let me try an empty file as well.",
    "An empty file should give an empty counter and no error.",
    "That works too, so let us look at speed.",
    "On a large book this takes about a second, which is fine for now.",
    "We could read the file in chunks if memory ever becomes a concern.",
    "I think the output would look nicer as a table.",
    "So we pad the words to the longest one and print the counts aligned.",
    "Much better, that is easy to read.",
    "One more thing, the tool should read from standard input when no file is given.",
    "That way we can pipe text into it from other programs.",
    "Let me try that with the text of this very module.",
    "Great, the most common word in our own code is self, of course.",
    "Before we finish, let me clean up the names a little.",
    "Good names make the code read like a description of what it does.",
    "And that is the whole tool, small but genuinely useful.",
    "In the next session we will package it and publish it.",
    "Thanks for watching, and see you next time.",
]
FILLERS = ["Um.", "Uh.", "Umm.", "Uh,"]
# Typed into the editor, line by line (a new page when the screen is full).
CODE = """\
import argparse
import re
import sys
from collections import Counter
from pathlib import Path

WORD = re.compile(r"[a-z']+")
COMMON = {"the", "and", "of", "to", "a", "in", "is", "it"}


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().splitlines()


def count_words(lines, skip_common=False):
    counts = Counter()
    for line in lines:
        for word in WORD.findall(line.lower()):
            if skip_common and word in COMMON:
                continue
            counts[word] += 1
    return counts


def show(counts, top):
    pairs = counts.most_common(top)
    if not pairs:
        print("no words")
        return
    width = max(len(word) for word, _ in pairs)
    for word, n in pairs:
        print(f"{word:<{width}}  {n:>6}")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Count words")
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--skip-common", action="store_true")
    args = parser.parse_args(argv)
    if args.files:
        lines = [l for f in args.files for l in read_lines(f)]
    else:
        lines = sys.stdin.read().splitlines()
    show(count_words(lines, args.skip_common), args.top)


def test_count_words(tmp_path):
    sample = tmp_path / "sample.txt"
    sample.write_text("The cat and the hat. The end!")
    counts = count_words(read_lines(sample))
    assert counts["the"] == 3
    assert counts["cat"] == 1


def test_empty(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert count_words(read_lines(empty)) == Counter()


if __name__ == "__main__":
    main()
""".splitlines()

# The pause after each sentence, in turn, and its length's range (s). "typing": someone types
# through it; the others are idle screens. Fillers come before every 4th sentence, a restarted
# phrase in every 9th; every 4th sentence is spoken while typing.
PAUSES = ["short", "typing", "idle", "short", "long", "typing", "idle", "short", "typing", "long"]
PAUSE_S = {"short": (0.25, 0.7), "idle": (1.2, 4.0), "long": (5.0, 20.0), "typing": (2.5, 15.0)}

Interval = tuple[float, float]


# The recording --------------------------------------------------------------------------------


@dataclass
class Truth:
    """What the recording holds: words (s) with their kind ("word", "filler", "restart"), and
    each pause between utterances with what the screen did ("idle" or "typing")."""

    duration_s: float
    words: list[tuple[str, float, float, str]] = field(default_factory=list)
    pauses: list[tuple[float, float, str]] = field(default_factory=list)
    typing: list[Interval] = field(default_factory=list)

    def spoken(self) -> list[str]:
        return [w for text, _a, _b, kind in self.words if kind == "word" for w in norm(text)]

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @staticmethod
    def from_json(text: str) -> Truth:
        raw = json.loads(text)
        return Truth(
            raw["duration_s"],
            [tuple(w) for w in raw["words"]],
            [tuple(p) for p in raw["pauses"]],
            [tuple(t) for t in raw["typing"]],
        )


def norm(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'").replace("-", " "))


def _ff(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
                   check=True)  # fmt: skip


def recording(seconds: int) -> tuple[Path, Truth]:
    """The cached live-coding recording of ``seconds`` and its truth (made on first use)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    mp4 = BENCH_DIR / f"live-coding-{seconds}s-v{GENERATOR_VERSION}.mp4"
    truth_file = mp4.with_suffix(".truth.json")
    if mp4.is_file() and truth_file.is_file():
        return mp4, Truth.from_json(truth_file.read_text(encoding="utf-8"))
    print(f"making {mp4.name} (once; cached in {BENCH_DIR}) ...", flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-rec-") as tmp:
        folder = Path(tmp)
        truth, audio = _speech(seconds, folder)
        wav = folder / "voice.wav"
        write_wav(wav, audio, RATE)
        listing = _screens(truth, folder)
        cursor = (f"drawbox=x=118:y={HEIGHT - 58}:w=16:h=30:color=0xD8DEE9:t=fill:"
                  "enable='lt(mod(t\\,1.06)\\,0.53)'")  # fmt: skip
        part = folder / "out.mp4"
        _ff("-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(wav),
            "-vf", f"fps={FPS},format=yuv420p,{cursor}", "-t", str(seconds),
            "-c:v", "libx264", "-preset", "ultrafast", "-g", str(2 * FPS), "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2",
            "-movflags", "+faststart", str(part))  # fmt: skip
        truth_file.write_text(truth.to_json(), encoding="utf-8")
        shutil.move(part, mp4)
    print(f"  made in {time.perf_counter() - started:.0f} s", flush=True)
    return mp4, truth


def _speech(seconds: int, folder: Path) -> tuple[Truth, npt.NDArray[np.int16]]:
    """The voice track and its truth; pauses of known lengths, each idle or typed through."""
    rng = random.Random(SEED)
    tts = registry.build_tts(load_config(REPO / "config.toml"))
    total = seconds * RATE
    track = np.zeros(total, np.float32)
    truth = Truth(float(seconds))
    spoken: dict[str, tuple[npt.NDArray[np.float32], list[tuple[str, float, float]]]] = {}

    def say(text: str) -> tuple[npt.NDArray[np.float32], list[tuple[str, float, float]]]:
        if text not in spoken:
            wav = folder / f"u{len(spoken)}.wav"
            timings = tts.synthesize(text, wav)
            samples, rate = read_wav(wav)
            assert rate == RATE, rate
            words = [(w.word, w.start_ms / 1000, w.end_ms / 1000) for w in timings.words]
            spoken[text] = (samples.astype(np.float32), words)
        return spoken[text]

    def place(text: str, at: float, kind: str, restart_words: int = 0) -> float:
        samples, words = say(text)
        start = round(at * RATE)
        n = min(len(samples), total - start)
        track[start : start + n] += samples[:n]
        for i, (word, a, b) in enumerate(words):
            truth.words.append((word, at + a, at + b, "restart" if i < restart_words else kind))
        return at + len(samples) / RATE

    t, i = 0.8, 0
    truth.pauses.append((0.0, t, "idle"))
    while True:
        sentence = SENTENCES[i % len(SENTENCES)]
        restart = 0
        if i % 9 == 4:  # a restarted phrase: "so the, so the loop ..."
            head = sentence.split()[:2]
            sentence = f"{' '.join(head).rstrip(',')}, {sentence[0].lower()}{sentence[1:]}"
            restart = len(norm(" ".join(head)))
        filler = rng.choice(FILLERS) if i % 4 == 1 else None
        need = (len(say(sentence)[0]) + (len(say(filler)[0]) if filler else 0)) / RATE + 1.0
        if t + need > seconds - 0.5:
            break
        if filler:
            t = place(filler, t, "filler") + 0.35
        begin = t
        t = place(sentence, t, "word", restart)
        if i % 4 == 3:  # typing while talking
            truth.typing.append((begin + 0.3, t - 0.2))
        kind = PAUSES[i % len(PAUSES)]
        i += 1
        low, high = PAUSE_S[kind]
        length = min(rng.uniform(low, high), seconds - t)
        screen = "typing" if kind == "typing" else "idle"
        truth.pauses.append((t, t + length, screen))
        if screen == "typing":
            truth.typing.append((t + 0.3, t + length - 0.3))
        t += length
    if t < seconds:
        truth.pauses.append((t, float(seconds), "idle"))
    # keyboard clicks while typing, a noise floor; then int16
    click = (np.random.default_rng(SEED).normal(0, 1, 90) * np.exp(-np.arange(90) / 18)).astype(
        np.float32
    )
    click *= 0.05 * 32767 / np.abs(click).max()  # -26 dBFS peaks
    for a, b in truth.typing:
        for tick in _ticks(a, b):
            at = round(tick * RATE)
            track[at : at + len(click)] += click[: max(0, total - at)]
    track += np.random.default_rng(SEED + 1).normal(0, 25, total).astype(np.float32)  # ~-62 dBFS
    return truth, np.clip(track, -32768, 32767).astype(np.int16)


def _ticks(a: float, b: float) -> Iterator[float]:
    """Keystroke instants from a to b (every 0.2 s, with some jitter)."""
    rng = random.Random(round(a * 1000))
    t = a
    while t < b:
        yield t
        t += rng.uniform(0.14, 0.26)


def _screens(truth: Truth, folder: Path) -> Path:
    """One PNG per screen state (a keystroke changes it) and an ffmpeg concat list of them."""
    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    font_file = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSansMono.ttf"
    font = ImageFont.truetype(str(font_file), 26)
    line_h, top, left, rows = 34, 70, 110, 26
    rng = random.Random(SEED)
    page: list[str] = []
    line, col, page_no = 0, 0, 1

    def draw(partial: str) -> Image.Image:
        img = Image.new("RGB", (WIDTH, HEIGHT), (40, 44, 52))
        pen = ImageDraw.Draw(img)
        pen.rectangle((0, 0, WIDTH, 44), fill=(33, 37, 43))
        pen.text((20, 8), f"wordcount.py  (page {page_no})", font=font, fill=(171, 178, 191))
        pen.rectangle((0, HEIGHT - 80, WIDTH, HEIGHT), fill=(24, 26, 31))
        pen.text((20, HEIGHT - 58), "$ ", font=font, fill=(152, 195, 121))
        for row, text in enumerate([*page, partial]):
            y = top + row * line_h
            pen.text((20, y), f"{row + 1:>3}", font=font, fill=(92, 99, 112))
            pen.text((left, y), text, font=font, fill=(220, 223, 228))
        return img

    states: list[tuple[float, Path]] = []

    def snap(at: float, partial: str) -> None:
        path = folder / f"s{len(states):05}.png"
        draw(partial).save(path, compress_level=1)
        states.append((at, path))

    snap(0.0, "")
    for a, b in truth.typing:
        for tick in _ticks(a, b):
            target = CODE[line % len(CODE)]
            col = min(len(target), col + rng.randint(1, 3))
            if col >= len(target):  # the line is done: Enter
                page.append(target)
                line, col = line + 1, 0
                if len(page) >= rows:
                    page, page_no = [], page_no + 1
            snap(tick, CODE[line % len(CODE)][:col])
    listing = folder / "screens.txt"
    rows_out = []
    for (at, path), (nxt, _) in zip(states, [*states[1:], (truth.duration_s, states[-1][1])],
                                    strict=True):  # fmt: skip
        rows_out.append(f"file '{path}'\nduration {max(nxt - at, 0.001):.4f}")
    rows_out.append(f"file '{states[-1][1]}'")
    listing.write_text("\n".join(rows_out) + "\n", encoding="utf-8")
    return listing


def cbr_copy(mp4: Path, kbps: int) -> Path:
    """``mp4`` re-encoded at a constant bitrate padded with filler data, as OBS's x264 writes in
    CBR mode (every packet near one size): cached."""
    out = mp4.with_name(f"{mp4.stem}-cbr{kbps}k.mp4")
    if not out.is_file():
        rate = f"{kbps}k"
        _ff("-i", str(mp4), "-map", "0", "-c:v", "libx264", "-preset", "ultrafast",
            "-g", str(2 * FPS), "-b:v", rate, "-minrate", rate, "-maxrate", rate,
            "-bufsize", rate, "-x264-params", "nal-hrd=cbr:filler=1", "-c:a", "copy",
            "-movflags", "+faststart", str(out) + ".part.mp4")  # fmt: skip
        os.replace(str(out) + ".part.mp4", out)
    return out


def repeated(mp4: Path, times: int) -> Path:
    """``mp4`` joined to itself ``times`` times by stream copy (cached)."""
    out = mp4.with_name(f"{mp4.stem}-x{times}.mp4")
    if not out.is_file():
        listing = mp4.with_suffix(".concat.txt")
        listing.write_text(f"file '{mp4}'\n" * times, encoding="utf-8")
        _ff("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
            "-movflags", "+faststart", str(out) + ".part.mp4")  # fmt: skip
        os.replace(str(out) + ".part.mp4", out)
        listing.unlink()
    return out


# Measuring ------------------------------------------------------------------------------------


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class Measure:
    wall: float = 0.0
    cpu: float = 0.0
    load: float = 0.0  # 1-minute load average when it ended


@contextmanager
def measured() -> Iterator[Measure]:
    m = Measure()
    cpu, started = _cpu(), time.perf_counter()
    yield m
    m.wall, m.cpu, m.load = time.perf_counter() - started, _cpu() - cpu, os.getloadavg()[0]


def timed(fn: Callable[[], T]) -> tuple[T, Measure]:
    with measured() as m:
        out = fn()
    return out, m


def duration_s(path: Path) -> float:
    return (probe(path).duration_ms or 0) / 1000


_RSS_CHILD = """
import json, os, sys, threading, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from vidkit.recordings.analysis import analyse

def rss_kb(pid, field="VmRSS:"):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(l.split()[1]) for l in f if l.startswith(field)), 0)
    except OSError:
        return 0

def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out

peak = {"total_kb": 0, "children_kb": 0}
done = threading.Event()

def sample():
    me = os.getpid()
    while not done.is_set():
        kids = sum(rss_kb(c) for c in children(me))
        peak["children_kb"] = max(peak["children_kb"], kids)
        peak["total_kb"] = max(peak["total_kb"], rss_kb(me) + kids)
        done.wait(0.02)

# VmHWM, not ru_maxrss: a process spawned by vfork + exec inherits its parent's ru_maxrss
imports = rss_kb("self", "VmHWM:")
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
t = time.perf_counter()
found = analyse(Path(sys.argv[1]))
wall = time.perf_counter() - t
done.set()
sampler.join()
print(json.dumps({"wall": wall, "imports_kb": imports,
                  "self_kb": rss_kb("self", "VmHWM:"), **peak}))
"""


def analysis_rss(path: Path) -> dict[str, Any]:
    """Analyse ``path`` in a fresh process: its wall time, its peak RSS (KiB, exact: VmHWM)
    and the RSS after its imports; and, sampled every 20 ms, the peak RSS of its ffmpeg
    children and of the process and its children together."""
    proc = subprocess.run([sys.executable, "-c", _RSS_CHILD, str(path), str(REPO)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def mib(kb: float) -> str:
    return f"{kb / 1024:.0f} MiB"


def rss_note(r: dict[str, Any]) -> str:
    return (f"peak {mib(r['total_kb'])} (python {mib(r['self_kb'])}, of which "
            f"{mib(r['imports_kb'])} after import; ffmpeg {mib(r['children_kb'])})")  # fmt: skip


def whisper_words(transcriber: Any, media: Path, folder: Path) -> tuple[list[str], float]:
    """The words whisper tiny hears in ``media`` (normalised) and the seconds it took."""
    wav = folder / f"{media.stem}.16k.wav"
    _ff("-i", str(media), "-map", "0:a:0", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
        str(wav))  # fmt: skip
    started = time.perf_counter()
    heard = transcriber.transcribe(wav)
    took = time.perf_counter() - started
    wav.unlink()
    return [w for word in heard.words for w in norm(word.text)], took


FILLER_WORDS = {w for f in DEFAULT_FILLERS for w in norm(f)} | {"ah", "oh"}


@dataclass
class Lost:
    missing: int
    of: int
    fillers_heard: int

    def __str__(self) -> str:
        return f"{self.missing} of {self.of} ({self.missing / self.of:.1%})"


def words_lost(truth: list[str], heard: list[str]) -> Lost:
    """How many of ``truth``'s words are missing from ``heard``, in order: the length of their
    longest common subsequence. (difflib.SequenceMatcher's greedy longest-block-first matching
    misaligns text whose sentences come back, as this recording's do, and reported over half
    the words missing from transcripts that hold nearly all of them.)"""
    content = [w for w in heard if w not in FILLER_WORDS]
    return Lost(len(truth) - lcs_length(truth, content), len(truth), len(heard) - len(content))


def lcs_length(a: list[str], b: list[str]) -> int:
    """The length of the longest common subsequence of ``a`` and ``b``, bit-parallel (Hyyrö,
    2004): one big-integer add per item of ``a``."""
    masks: dict[str, int] = {}
    for i, item in enumerate(b):
        masks[item] = masks.get(item, 0) | (1 << i)
    full = (1 << len(b)) - 1
    v = full
    for item in a:
        u = v & masks.get(item, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - bin(v).count("1")


@dataclass
class CutWords:
    """The truth's words as a cut list plays them: ``lost`` (under half plays), ``clipped``
    (partly cut, at least half plays), ``near`` (kept words with a cut within 50 ms of an
    edge, the issue's criterion, clipped ones included), of ``of``; and the fillers cut."""

    lost: int
    clipped: int
    near: int
    of: int
    fillers_gone: int
    fillers: int

    def __str__(self) -> str:
        return (
            f"{self.lost} of {self.of} words cut, {self.clipped} clipped, {self.near} with a cut "
            f"within 50 ms; {self.fillers_gone} of {self.fillers} fillers cut"
        )


def cut_words(truth: Truth, kept: list[Interval]) -> CutWords:
    """Which of the truth's words the kept source ranges (s) leave out or clip."""
    merged: list[list[float]] = []
    for a, b in sorted(kept):
        if merged and a <= merged[-1][1] + 1e-3:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    starts = np.array([a for a, _ in merged])
    ends = np.array([b for _, b in merged])
    edges = np.array([e for e in (*starts, *ends) if 1e-3 < e < truth.duration_s - 1e-3])

    def playing(a: float, b: float) -> float:
        return float(np.clip(np.minimum(ends, b) - np.maximum(starts, a), 0, None).sum())

    lost = clipped = near = fillers_gone = fillers = of = 0
    for _text, a, b, kind in truth.words:
        share = playing(a, b) / max(b - a, 1e-6)
        if kind == "filler":
            fillers += 1
            fillers_gone += share < 0.5
        elif kind == "word":
            of += 1
            lost += share < 0.5
            clipped += share >= 0.5 and (b - a) - playing(a, b) > 0.01
            near += share >= 0.5 and bool(((edges > a - 0.05) & (edges < b + 0.05)).any())
    return CutWords(lost, clipped, near, of, fillers_gone, fillers)


def vidkit_kept(cuts: Any) -> list[Interval]:
    """The source ranges (s) a vidkit cut list plays (sped up or not)."""
    return [(cuts.ms(s.start) / 1000, cuts.ms(s.end) / 1000) for s in cuts.spans
            if s.action != "cut"]  # fmt: skip


def auto_editor_kept(timeline: dict[str, Any]) -> list[Interval]:
    """The source ranges (s) an auto-editor v3 timeline plays."""
    num, den = (int(x) for x in str(timeline["timebase"]).split("/"))
    fps = num / den
    clips = timeline["v"][0] if timeline.get("v") else timeline["a"][0]
    return [(c["offset"] / fps, (c["offset"] + c["dur"] * c["speed"]) / fps) for c in clips]


def expected_output_s(truth: Truth, rules: Any) -> float:
    """Roughly what vidkit's rules should leave of the recording, from the truth: idle pauses
    over min_silence cut to keep_pause, typed-through pauses sped up (to typing_min, at most
    max_speed x), fillers and restarted words cut."""
    out = truth.duration_s
    for a, b, screen in truth.pauses:
        length = b - a
        if screen == "idle" and length * 1000 > rules.min_silence_ms:
            out -= length - rules.keep_pause_ms / 1000
        elif screen == "typing" and length * 1000 > rules.typing_min_ms:
            out -= length - max(rules.typing_min_ms / 1000, length / rules.max_speed)
    out -= sum(b - a for _t, a, b, kind in truth.words if kind in ("filler", "restart"))
    return out


@dataclass
class Stages:
    """Wall seconds between the first and last progress event of each stage."""

    started: float = field(default_factory=time.perf_counter)
    spans: dict[str, list[float]] = field(default_factory=dict)

    def __call__(self, event: Event) -> None:
        if event.cached:
            return
        now = time.perf_counter() - self.started
        self.spans.setdefault(event.stage, [now, now])[1] = now

    def __str__(self) -> str:
        return ", ".join(f"{s} {a:.1f}-{b:.1f} s" for s, (a, b) in self.spans.items())


def find_auto_editor(explicit: str | None) -> list[str] | None:
    exe = explicit or os.environ.get("VIDKIT_AUTO_EDITOR") or shutil.which("auto-editor")
    if not exe:
        return None
    usage = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False).stdout
    # auto-editor 23.x drives ffmpeg and ffprobe from PATH; 29.x carries its own
    return [exe, "--my-ffmpeg"] if "--my-ffmpeg" in usage else [exe]


def fresh_tmp(folder: Path) -> dict[str, str]:
    """An environment with an empty TMPDIR: auto-editor 23.x caches its analysis of a file in
    ``$TMPDIR/ae-<version>/cache.json`` (and has no option to stop it), so a run after the first
    would skip its analysis."""
    tmp = Path(tempfile.mkdtemp(prefix="ae-tmp-", dir=folder))
    return {**os.environ, "TMPDIR": str(tmp)}


def auto_editor_version(cmd: list[str]) -> str:
    proc = subprocess.run([cmd[0], "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.strip() or proc.stderr.strip()


# The run --------------------------------------------------------------------------------------


def workspace(folder: Path) -> vidkit.Workspace:
    config = folder / "config.toml"
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('dir = "models"', f'dir = "{(REPO / "models").as_posix()}"')
    config.write_text(text, encoding="utf-8")
    return vidkit.open(config)


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--quick", action="store_true", help="a 1-minute recording (smoke run)")
    parser.add_argument("--auto-editor", help="the auto-editor executable")
    parser.add_argument("--no-hour", action="store_true", help="skip the hour-long analysis")
    cbr = "measure a constant-bitrate copy (x264 with filler data, as OBS's CBR)"
    parser.add_argument("--cbr", type=int, metavar="KBPS", help=cbr)
    args = parser.parse_args()
    seconds = 60 if args.quick else 600
    table = Table()

    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} before the run")
    src, truth = recording(seconds)
    if args.cbr:
        src = cbr_copy(src, args.cbr)
    length = duration_s(src)
    said = truth.spoken()
    fillers = sum(1 for *_x, kind in truth.words if kind == "filler")
    idle = [p for p in truth.pauses if p[2] == "idle" and p[1] - p[0] > 1.0]
    typed = [p for p in truth.pauses if p[2] == "typing"]
    print(
        f"recording: {src} ({src.stat().st_size / 2**20:.0f} MiB, {length:.1f} s): "
        f"{len(said)} spoken words, {fillers} fillers, {len(idle)} idle pauses over 1 s "
        f"({sum(b - a for a, b, _ in idle):.0f} s), {len(typed)} typed-through pauses "
        f"({sum(b - a for a, b, _ in typed):.0f} s)"
    )
    warm(src)

    print("\n1. dead-air analysis vs a full decode", flush=True)
    _, decode = timed(lambda: _ff("-i", str(src), "-f", "null", "-"))
    table.add("full decode (ffmpeg -i X -f null -)", decode, length, "the baseline")
    found, ana = timed(lambda: analyse(src))
    table.add(
        "dead-air analysis, analyse()",
        ana,
        length,
        f"{decode.wall / ana.wall:.1f}x the decode's speed; target >= 50x realtime",
    )
    print(
        f"    found {len(found.speech)} speech spans, {len(found.idle)} idle spans; "
        f"screen read by {found.meta.get('screen')}"
    )
    info = probe(src)
    _, screen = timed(lambda: screen_activity(src, info, name=src.name))
    _, voice = timed(lambda: speech_spans(src, info.duration_ms or 0, name=src.name))
    print(
        f"    of which: screen (packets) {screen.wall:.1f} s ({length / screen.wall:.0f}x), "
        f"speech (decode + Silero VAD) {voice.wall:.1f} s ({length / voice.wall:.0f}x)"
    )
    child = analysis_rss(src)
    table.add_raw(
        f"same, in a fresh process ({length / 60:.0f} min)", child["wall"], length, rss_note(child)
    )
    if not args.no_hour:
        long = repeated(src, 6)
        long_s = duration_s(long)
        warm(long)
        child = analysis_rss(long)
        table.add_raw(
            f"same, {long_s / 60:.0f}-min file (6 copies, {mb(long)})",
            child["wall"],
            long_s,
            rss_note(child) + "; target < 500 MB",
        )

    with tempfile.TemporaryDirectory(prefix="vidkit-bench-ws-", dir=BENCH_DIR) as tmp:
        folder = Path(tmp)
        ws = workspace(folder)
        slug = "live"
        ws.create_project(slug, "Live coding", width=WIDTH, height=HEIGHT)
        scene = ws.add_scene(slug, "Session")
        asset = ws.import_asset(slug, src, kind="screen_capture")
        use_recording(ws, slug, scene.id, asset.id)

        graph = SceneGraph(ws, slug)
        print("\n2. transcription (the transcribe stage, whisper tiny, empty cache)", flush=True)
        transcribed, tr = timed(lambda: graph.transcript(asset))
        threads = ws.config.transcribe.threads
        table.add(
            "transcription, whisper tiny",
            tr,
            length,
            f"{len(transcribed.transcript.words)} words; {threads} thread(s)",
        )

        print("\n3. analysis stage + tighten + render (1920x1080, config.toml's defaults)")
        _, ans = timed(lambda: graph.analysis(asset))
        table.add("vidkit analysis stage (empty cache)", ans, length)
        report, tig = timed(lambda: tighten(ws, slug, scene.id))
        table.add("vidkit tighten (the rules; cached stages)", tig, length, report.summary())
        reasons: dict[str, int] = {}
        for change in report.changes:
            key = f"{change['action']} {change['reason']}"
            reasons[key] = reasons.get(key, 0) + 1
        print(f"    changes: {reasons}")
        stages = Stages()
        result, ren = timed(lambda: vidkit.render(ws, slug, progress=stages))
        assert result.final is not None
        out_s = duration_s(result.final)
        table.add(
            "vidkit render (output s / wall)",
            ren,
            out_s,
            f"input s / wall {length / ren.wall:.2f}; target >= 1",
        )
        print(f"    stages: {stages}")
        both = Measure(ans.wall + tig.wall + ren.wall, ans.cpu + tig.cpu + ren.cpu, ren.load)
        table.add("vidkit analysis + tighten + render", both, length, "input s / wall")
        expected = expected_output_s(truth, rules_from(ws.config.tighten))
        print(
            f"    output {out_s:.1f} s of {length:.1f} s; the rules on the truth: ~{expected:.0f} s"
        )

        print("\n4. auto-editor, same file", flush=True)
        ae = find_auto_editor(args.auto_editor)
        ae_out = folder / "auto-editor.mp4"
        ae_kept: list[Interval] | None = None
        if ae is None:
            print("    auto-editor not found (see this script's docstring): skipped")
        else:
            cmd = [*ae, str(src), "--margin", "0.2s", "--no-open", "--progress", "none"]
            print(f"    auto-editor {auto_editor_version(ae)}: {' '.join(cmd[1:])}")
            plan = [*cmd, "--export", "timeline"]
            found_ae, aea = timed(
                lambda: subprocess.run(
                    plan, check=True, capture_output=True, text=True, env=fresh_tmp(folder)
                )
            )
            ae_kept = auto_editor_kept(json.loads(found_ae.stdout))
            table.add(
                "auto-editor analysis (--export timeline)",
                aea,
                length,
                f"vidkit's analysis + tighten took {(ans.wall + tig.wall) / aea.wall:.2f}x as long",
            )
            run = [*cmd, "-o", str(ae_out)]
            _, aed = timed(
                lambda: subprocess.run(
                    run, check=True, stdout=subprocess.DEVNULL, env=fresh_tmp(folder)
                )
            )
            table.add(
                "auto-editor to MP4 (input s / wall)",
                aed,
                length,
                f"vidkit's analysis + tighten + render took {both.wall / aed.wall:.2f}x as long",
            )

        print("\n5. words lost", flush=True)
        print(f"    truth: {len(said)} spoken words (fillers and restarted words left out)")
        table.note("cut list vs truth: vidkit", str(cut_words(truth, vidkit_kept(report.cuts))))
        if ae_kept is not None:
            table.note("cut list vs truth: auto-editor", str(cut_words(truth, ae_kept)))
        print("    transcribed again by whisper tiny, missing in order:")
        transcriber = registry.build_transcriber(ws.config)
        heard = [w for word in transcribed.transcript.words for w in norm(word.text)]
        table.lost("words missing: the recording itself", words_lost(said, heard), length)
        for name, out in (("vidkit", result.final), ("auto-editor", ae_out)):
            if out.is_file():
                heard, took = whisper_words(transcriber, out, folder)
                table.lost(
                    f"words missing: {name}'s output", words_lost(said, heard), duration_s(out)
                )
                print(f"    (transcribed in {took:.1f} s)")

    print(
        f"\nSummary: {length:.0f} s 1080p30 recording; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f} now (measures' CPU seconds count this process and children)"
    )
    table.show()


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, what: str, m: Measure, media_s: float, note: str = "") -> None:
        rt = media_s / m.wall
        print(
            f"  {what:<42} {m.wall:7.1f} s {rt:7.1f}x realtime  CPU {m.cpu:6.1f} s  "
            f"load {m.load:4.1f}  {note}",
            flush=True,
        )
        self.rows.append((what, f"{m.wall:.1f}", f"{rt:.2f}", f"{m.cpu:.1f}", note))

    def add_raw(self, what: str, wall: float, media_s: float, note: str) -> None:
        rt = media_s / wall
        print(f"  {what:<42} {wall:7.1f} s {rt:7.1f}x realtime  {note}", flush=True)
        self.rows.append((what, f"{wall:.1f}", f"{rt:.2f}", "", note))

    def lost(self, what: str, lost: Lost, media_s: float) -> None:
        note = f"{lost}; {lost.fillers_heard} fillers heard; {media_s:.1f} s long"
        print(f"  {what:<42} {note}", flush=True)
        self.rows.append((what, "", "", "", note))

    def note(self, what: str, note: str) -> None:
        print(f"  {what:<42} {note}", flush=True)
        self.rows.append((what, "", "", "", note))

    def show(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        print(f"  {'':<{width}}  {'wall s':>7}  {'x realtime':>10}  {'CPU s':>6}")
        for what, wall, rt, cpu, note in self.rows:
            print(f"  {what:<{width}}  {wall:>7}  {rt:>10}  {cpu:>6}  {note}")


def warm(path: Path) -> None:
    """Read ``path`` once, so every measure finds it in the page cache."""
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def mb(path: Path) -> str:
    return f"{path.stat().st_size / 2**20:.0f} MiB"


if __name__ == "__main__":
    main()
