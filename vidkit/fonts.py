"""The fonts captions and title cards are set in, and which of them draws each character.

Text is set in DejaVu Sans (matplotlib's copy), which covers Latin with every accent, Greek and
Cyrillic. What it lacks comes from two fallbacks, in this order, each from a registry package
that ``pip install`` puts in the environment (nothing is downloaded at run time):

- Noto Sans CJK JP Regular (``noto-cjk-sans-jp-regular``): Chinese, Japanese and Korean, with
  Japanese glyph forms where the regions differ;
- Noto Emoji (``manimgx-fonts``): emoji, in outline (one colour) glyphs, the only kind libass
  draws; a colour bitmap font (Noto Color Emoji) would draw nothing there.

:func:`runs` splits a line into runs of one face each. The preview (Pillow, in
:mod:`vidkit.render.overlay`) draws each run in its face, and the render asks libass for the same
face by name (``{\\fn…}`` in the ASS file :func:`vidkit.render.caption_files.to_ass`
writes), so both show the same glyphs whatever fonts the system has. libass finds the files in
:func:`fonts_dir` (ffmpeg's ``fontsdir=``): its own fallback only searches system fonts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from vidkit.errors import InvalidInput
from vidkit.hints import install

__all__ = [
    "CJK_FAMILY",
    "EMOJI_FAMILY",
    "PRIMARY_FAMILY",
    "Face",
    "coverage",
    "dejavu_file",
    "faces",
    "fonts_dir",
    "runs",
    "vertical_metrics",
]

PRIMARY_FAMILY: Final = "DejaVu Sans"
CJK_FAMILY: Final = "Noto Sans CJK JP"
EMOJI_FAMILY: Final = "Noto Emoji"
_DEJAVU_FILES: Final = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"
)  # fmt: skip
# A character that attaches to the one before it and is drawn by the same face: variation
# selectors, the zero width joiner and other format characters, combining marks, skin tones.
_ATTACHING: Final = frozenset(("Mn", "Me", "Cf"))
_SKIN_TONES: Final = range(0x1F3FB, 0x1F400)
_EMOJI_STYLE: Final = "\ufe0f"  # variation selector 16: show the character as an emoji


@dataclass(frozen=True, slots=True)
class Face:
    """A font file and the family name libass knows it by. A ``text`` face keeps spaces and
    punctuation in its runs (a fallback for symbols, like emoji, does not)."""

    family: str
    path: Path
    text: bool = True


def dejavu_file(name: str = "DejaVuSans.ttf") -> Path:
    """A DejaVu font file shipped with matplotlib."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():
        raise InvalidInput(f"font {name} is not in matplotlib's data folder ({path.parent})")
    return path


@cache
def _cjk_file() -> Path:
    try:
        import noto_cjk_sans_jp_regular  # type: ignore[import-untyped]
    except ImportError as exc:
        raise InvalidInput(
            "the CJK caption font is missing",
            hint=install(
                "the CJK caption font",
                "noto-cjk-sans-jp-regular==0.0.1",
                more=" (or reinstall vidkit)",
            ),
        ) from exc
    return Path(str(noto_cjk_sans_jp_regular.FONT_PATH))


@cache
def _emoji_file() -> Path:
    try:
        import manimgx_fonts  # type: ignore[import-untyped]
    except ImportError as exc:
        raise InvalidInput(
            "the emoji caption font is missing",
            hint=install(
                "the emoji caption font",
                "manimgx-fonts==2026.9.26.post1",
                more=" (or reinstall vidkit)",
            ),
        ) from exc
    return Path(manimgx_fonts.__file__).parent / "NotoEmoji[wght].ttf"


def faces(bold: bool = False) -> tuple[Face, ...]:
    """DejaVu Sans (Bold when ``bold``), then the CJK and emoji fallbacks. The fallbacks have
    one weight: bold text shows them regular, in the preview and the render alike."""
    return (
        Face(PRIMARY_FAMILY, dejavu_file(_DEJAVU_FILES[1] if bold else _DEJAVU_FILES[0])),
        Face(CJK_FAMILY, _cjk_file()),
        Face(EMOJI_FAMILY, _emoji_file(), text=False),
    )


@cache
def coverage(path: Path) -> frozenset[int]:
    """The code points the font at ``path`` has a glyph for (its cmap)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def vertical_metrics(path: Path) -> tuple[int, int, int]:
    """(units per em, Windows ascent, Windows descent): libass sizes a face so that its
    Windows ascent plus descent is the ASS font size."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        os2 = font["OS/2"]
        return int(font["head"].unitsPerEm), int(os2.usWinAscent), int(os2.usWinDescent)


def runs(text: str, chain: Sequence[Face]) -> list[tuple[str, int]]:
    """``text`` split into runs, each with the index in ``chain`` of the face that draws it: the
    first face that has the character (a symbol face first for one followed by the emoji
    variation selector); marks, joiners, variation selectors and skin tones stay with the
    character before them; spaces and punctuation stay in a run of a text face that
    has them (so "東京、大阪" or "東京, 大阪" is one run). A character no face has goes to the
    first face (which draws its missing-glyph box)."""
    out: list[tuple[str, int]] = []
    for at, char in enumerate(text):
        code = ord(char)
        category = unicodedata.category(char)
        if out:
            last = out[-1][1]
            attaches = category in _ATTACHING or code in _SKIN_TONES
            neutral = category[0] in "ZP" and chain[last].text
            if attaches or (neutral and code in coverage(chain[last].path)):
                out[-1] = (out[-1][0] + char, last)
                continue
        picks = [i for i, face in enumerate(chain) if code in coverage(face.path)]
        if text[at + 1 : at + 2] == _EMOJI_STYLE:  # "✈️": the emoji, where a symbol face has it
            picks = [i for i in picks if not chain[i].text] or picks
        index = picks[0] if picks else 0
        if out and out[-1][1] == index:
            out[-1] = (out[-1][0] + char, index)
        else:
            out.append((char, index))
    return out


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vidkit" / "fonts"


def _link(source: Path, target: Path) -> None:
    try:
        target.symlink_to(source)
    except OSError:  # no symlinks here (Windows without the privilege): a copy
        shutil.copyfile(source, target)


@cache
def fonts_dir() -> Path:
    """A folder holding (links to) every font file captions use, for libass (``fontsdir=``).
    It is made once per set of files, in the user's cache folder (a temporary one if that is
    not writable)."""
    files = {name: dejavu_file(name) for name in _DEJAVU_FILES}
    files["NotoSansCJKjp-Regular.otf"] = _cjk_file()
    files["NotoEmoji.ttf"] = _emoji_file()
    key = hashlib.sha256("\n".join(f"{n}={p}" for n, p in sorted(files.items())).encode())
    user = os.getuid() if hasattr(os, "getuid") else 0
    for root in (_cache_root(), Path(tempfile.gettempdir()) / f"vidkit-fonts-{user}"):
        folder = root / key.hexdigest()[:16]
        if all((folder / name).is_file() for name in files):
            return folder
        try:
            root.mkdir(parents=True, exist_ok=True)
            staging = root / f".{uuid.uuid4().hex}"
            staging.mkdir()
            for name, source in files.items():
                _link(source, staging / name)
            if folder.exists():  # stale (links into a removed environment): replace it
                stale = root / f".stale-{uuid.uuid4().hex}"
                folder.rename(stale)
                shutil.rmtree(stale, ignore_errors=True)
            try:
                staging.rename(folder)
            except OSError:  # another process made it first
                shutil.rmtree(staging, ignore_errors=True)
        except OSError:
            continue
        if all((folder / name).is_file() for name in files):
            return folder
    raise InvalidInput(f"cannot make a fonts folder under {_cache_root()} or the temp folder")
