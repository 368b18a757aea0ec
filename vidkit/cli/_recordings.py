"""``vidkit recordings``, ``vidkit transcribe`` and ``vidkit tighten``: scenes made from a raw
recording.

``recordings use`` makes a scene from a recording (a ``screen_capture`` asset: import it with
``vidkit assets import SLUG FILE --kind screen_capture``) between in and out points, in the
speaker's own voice or re-voiced; ``recordings split`` adds one scene per part of a long
recording; ``recordings show`` lists a scene's edits (what ``--undo`` steps back through).
``transcribe`` prints the scene's words with their indices, the cut ones marked, and
``tighten`` cuts pauses, fillers and restarts, deletes and restores words by those indices,
and undoes. All of them call :mod:`vidkit.editing.recording`; transcription and analysis are
cached by the recording's content, so only the first command on a recording waits for them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vidkit.cli._common import JsonFlag, Session, fail, session
from vidkit.cli._logging import current as log_settings
from vidkit.cli._output import duration, print_json, table, terminal_width, text_width, when
from vidkit.cli._progress import Display, StageTally, mode_for

if TYPE_CHECKING:
    from vidkit.editing.recording import RecordingView, TightenReport, TranscriptWord
    from vidkit.model import Asset, SceneEdit
    from vidkit.workspace import Workspace

__all__ = ["app", "parse_time_ms", "parse_word_range", "tighten", "transcribe"]

app = typer.Typer(
    help="Make scenes from raw recordings: choose one for a scene, split a long one into "
    "scenes, list a scene's edits.",
    no_args_is_help=True,
)

Slug = Annotated[str, typer.Argument(metavar="SLUG", help="The project's slug.")]
SceneOpt = Annotated[
    int, typer.Option("--scene", help="The scene's id, as `vidkit scenes list` shows it.")
]
RecordingId = Annotated[
    int,
    typer.Argument(
        metavar="RECORDING_ID",
        help="The recording's asset id (`vidkit assets list SLUG --kind screen_capture`).",
    ),
]
Voice = Annotated[
    str,
    typer.Option(
        "--voice",
        help="own: the speaker's voice from the recording; project: re-voice the kept words "
        "in the project's voice.",
    ),
]

_TIME_RE = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)$")
_RANGE_RE = re.compile(r"^(\d+)(?:(?:-|\.\.)(\d+))?$")
_GAP_MS = 1000  # a pause this long starts a new line of the transcript
#: What transcribing and tightening a scene run, and the share of the time each takes.
_STAGES = {"transcribe": 0.7, "analyse": 0.3}


# parsing --------------------------------------------------------------------------------------


def parse_time_ms(value: str | int) -> int:
    """``12.5`` (seconds), ``1:02.5`` (minutes and seconds) or ``1:02:03`` → milliseconds."""
    if isinstance(value, int):  # an option's default, already in milliseconds
        return value
    match = _TIME_RE.match(value.strip())
    if match is None or (match.group(2) is not None and float(match.group(3)) >= 60):
        raise typer.BadParameter(
            f"{value!r} is not a time: give seconds (12.5) or minutes and seconds (1:02.5)"
        )
    hours, minutes, seconds = match.groups()
    if hours is not None and int(minutes) >= 60:
        raise typer.BadParameter(f"{value!r} is not a time: minutes go up to 59 (1:02:03)")
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)
    return round(total * 1000)


def parse_word_range(value: str, option: str) -> int | tuple[int, int]:
    """``12`` (one word) or ``3-7`` / ``3..7`` (words 3 to 7, inclusive)."""
    match = _RANGE_RE.match(value.strip())
    if match is None:
        raise typer.BadParameter(
            f"{value!r} is not a word index or range: give 12, or 3-7 for words 3 to 7",
            param_hint=option,
        )
    first, last = int(match.group(1)), match.group(2)
    if last is None:
        return first
    if int(last) < first:
        raise typer.BadParameter(
            f"{value!r} ends before it starts: give the first word, then the last",
            param_hint=option,
        )
    return (first, int(last))


# shared ---------------------------------------------------------------------------------------


class _Reminders:
    """A tally whose finished steps print no line of their own (the command's result follows
    on stdout); only a long step is recalled, every 30 s, when stderr is not a terminal."""

    def __init__(self, tally: StageTally) -> None:
        self.tally = tally
        self.label = tally.label

    @property
    def fraction(self) -> float:
        return self.tally.fraction

    @property
    def activity(self) -> str:
        return self.tally.activity

    def add(self, update: Any) -> str | None:
        self.tally.add(update)
        return None


def _display(label: str, weights: dict[str, float], *, as_json: bool) -> Display:
    tally = _Reminders(StageTally(1, label=label, weights=weights))
    return Display(tally, mode_for(as_json=as_json, quiet=log_settings().quiet))


def _recording_of(ws: Workspace, slug: str, asset_id: int) -> Asset:
    """The project's recording with this asset id, or one line saying what is wrong."""
    from vidkit.errors import InvalidInput, NotFound

    project = ws.project(slug)
    try:
        asset = ws.catalogue.asset(asset_id)
    except NotFound:
        asset = None
    if asset is None or asset.project_id != project.id:
        raise NotFound(
            f"project {slug!r} has no asset with id {asset_id}; "
            f"`vidkit assets list {slug} --kind screen_capture` lists its recordings"
        )
    if asset.kind != "screen_capture":
        raise InvalidInput(
            f"asset {asset_id} is a {asset.kind}, not a recording: import the recording with "
            f"`vidkit assets import {slug} FILE --kind screen_capture`",
            field="recording_id",
        )
    return asset


def _edit_of(state: Session, ws: Workspace, slug: str, scene_id: int) -> SceneEdit:
    """The scene's current edit, or one line saying how to give the scene a recording."""
    from vidkit.errors import InvalidInput

    edit = ws.catalogue.scene_edit(slug, scene_id)
    if edit is None:
        hint = state.command("recordings", "use", slug, "--scene", str(scene_id), "RECORDING_ID")
        raise InvalidInput(
            f"scene {scene_id} is not made from a recording: choose one with {hint}",
            field="recording_id",
        )
    return edit


def _name(asset: Asset) -> str:
    return str(asset.metadata.get("filename", asset.path))


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.2f}"


def _window(edit: SceneEdit) -> str:
    end = "its end" if edit.out_ms is None else f"{_seconds(edit.out_ms)} s"
    return f"from {_seconds(edit.in_ms)} s to {end}"


_VOICES = {"own": "in the speaker's own voice", "project": "re-voiced in the project's voice"}


# vidkit recordings ----------------------------------------------------------------------------


@app.command()
def use(
    ctx: typer.Context,
    slug: Slug,
    recording_id: RecordingId,
    scene: SceneOpt,
    in_ms: Annotated[
        int,
        typer.Option(
            "--in",
            parser=parse_time_ms,
            metavar="TIME",
            help="Where the scene starts in the recording: seconds (12.5) or m:ss (1:02.5).",
        ),
    ] = 0,
    out_ms: Annotated[
        int | None,
        typer.Option(
            "--out",
            parser=parse_time_ms,
            metavar="TIME",
            help="Where it ends (default: the recording's end).",
        ),
    ] = None,
    voice: Voice = "own",
    as_json: JsonFlag = False,
) -> None:
    """Make a scene from a recording, between in and out points (it starts untightened)."""
    from vidkit.editing.recording import use_recording

    state = session(ctx)
    ws = state.workspace()
    ws.scene(slug, scene)
    recording = _recording_of(ws, slug, recording_id)
    edit = use_recording(ws, slug, scene, recording_id, in_ms=in_ms, out_ms=out_ms, voice=voice)
    if as_json:
        print_json(edit.to_dict())
        return
    typer.echo(
        f"scene {scene} uses recording {recording_id} ({_name(recording)}) {_window(edit)}, "
        f"{_VOICES.get(edit.voice, edit.voice)}"
    )
    typer.echo(
        f"next: see what tightening cuts with: "
        f"{state.command('tighten', slug, '--scene', str(scene), '--dry-run')}"
    )


@app.command()
def split(
    ctx: typer.Context,
    slug: Slug,
    recording_id: RecordingId,
    min_pause: Annotated[
        float,
        typer.Option(
            "--min-pause",
            metavar="SECONDS",
            min=0.1,
            help="Split where the talk pauses at least this long.",
        ),
    ] = 3.0,
    chapters: Annotated[
        bool,
        typer.Option(
            "--chapters/--no-chapters",
            help="Split at the recording's chapter markers when it has them (else at pauses).",
        ),
    ] = True,
    title: Annotated[
        str, typer.Option("--title", help="New scenes are titled '<title> 1', '<title> 2'...")
    ] = "Part",
    voice: Voice = "own",
    as_json: JsonFlag = False,
) -> None:
    """Add one scene per part of a long recording, at its chapters or at long pauses."""
    from vidkit.editing.recording import split_recording

    ws = session(ctx).workspace()
    recording = _recording_of(ws, slug, recording_id)
    with _display("split", {"analyse": 1.0}, as_json=as_json) as show:
        scenes = split_recording(
            ws, slug, recording_id, min_pause_ms=round(min_pause * 1000), chapters=chapters,
            title=title, voice=voice, progress=show,
        )  # fmt: skip
    if as_json:
        print_json([s.to_dict() for s in scenes])
        return
    typer.echo(f"split {_name(recording)} into {len(scenes)} scene(s) of project {slug}:")
    rows = []
    for s in scenes:
        edit = ws.catalogue.scene_edit(slug, s.id)
        start = edit.in_ms if edit else 0
        end = (edit.out_ms if edit else None) or int(recording.duration_ms or 0)
        rows.append(
            [str(s.position), str(s.id), s.title, _seconds(start), _seconds(end),
             duration(end - start)]
        )  # fmt: skip
    headers = ["#", "ID", "TITLE", "FROM", "TO", "LENGTH"]
    typer.echo(table(headers, rows, flex=2, right={0, 1, 3, 4, 5}))


@app.command()
def show(ctx: typer.Context, slug: Slug, scene: SceneOpt, as_json: JsonFlag = False) -> None:
    """List a scene's edits, oldest first; the last is current, and --undo steps back."""
    state = session(ctx)
    ws = state.workspace()
    edit = _edit_of(state, ws, slug, scene)
    history = ws.catalogue.scene_edit_history(slug, scene)
    if as_json:
        print_json([e.to_dict() for e in history])
        return
    recording = ws.catalogue.asset(edit.recording_id)
    typer.echo(
        f"scene {scene} uses recording {edit.recording_id} ({_name(recording)}) "
        f"{_window(edit)}, {_VOICES.get(edit.voice, edit.voice)}"
    )
    rows = [
        [str(e.version), when(e.created_at), e.note or "-",
         e.cuts.summary() if e.cuts else "not tightened"]
        for e in history
    ]  # fmt: skip
    typer.echo(table(["VERSION", "WHEN", "EDIT", "CUTS"], rows, flex=2, right={0}))


# vidkit transcribe ----------------------------------------------------------------------------


def _tokens(
    words: Sequence[TranscriptWord],
) -> list[tuple[TranscriptWord, TranscriptWord, str]]:
    """Kept words as they are; runs of cut words with one reason as ``~~a b~~[reason]``;
    each with the first and the last word it shows."""
    out: list[tuple[TranscriptWord, TranscriptWord, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.kept:
            out.append((word, word, word.text))
            i += 1
            continue
        j = i
        while j + 1 < len(words) and not words[j + 1].kept and words[j + 1].reason == word.reason:
            j += 1
        text = " ".join(w.text for w in words[i : j + 1])
        out.append((word, words[j], f"~~{text}~~[{word.reason or 'cut'}]"))
        i = j + 1
    return out


def transcript_lines(words: Sequence[TranscriptWord], width: int) -> list[str]:
    """The words as lines that each start with their first word's index and time (seconds):
    a new line after a sentence, at a pause of a second or more, or where the terminal ends."""
    lines: list[str] = []
    current: list[str] = []
    used = 0
    last_end: int | None = None
    indent = 16  # "{index:>5}  {seconds:>7}  "
    for word, last, text in _tokens(words):
        gap = last_end is not None and word.start_ms - last_end >= _GAP_MS
        if current and (gap or used + 1 + text_width(text) > width - indent):
            lines.append(" ".join(current))
            current = []
        if not current:
            current = [f"{word.index:>5}  {_seconds(word.start_ms):>7}  {text}"]
            used = text_width(text)
        else:
            current.append(text)
            used += 1 + text_width(text)
        last_end = last.end_ms
        if word.kept and text.endswith((".", "?", "!")):
            lines.append(" ".join(current))
            current = []
    if current:
        lines.append(" ".join(current))
    return lines


def _show_view(ws: Workspace, view: RecordingView, *, one_per_line: bool) -> None:
    recording = ws.catalogue.asset(view.edit.recording_id)
    kept = sum(1 for w in view.words if w.kept)
    language = f", {view.language}" if view.language else ""
    typer.echo(
        f"scene {view.scene_id}: {_name(recording)}, {len(view.words)} words ({kept} kept"
        f"{language}); {view.cuts.summary() if view.edit.cuts else 'not tightened'}"
    )
    if not view.words:
        has_audio = recording.metadata.get("has_audio", True)
        typer.echo("no words: the recording has no sound" if not has_audio else "no words heard")
        return
    if one_per_line:
        rows = [
            [str(w.index), _seconds(w.start_ms), _seconds(w.end_ms), w.text,
             "" if w.kept else w.reason or "cut"]
            for w in view.words
        ]  # fmt: skip
        typer.echo(table(["#", "FROM", "TO", "WORD", "CUT"], rows, flex=3, right={0, 1, 2}))
        return
    for line in transcript_lines(view.words, terminal_width()):
        typer.echo(line)


def transcribe(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="The project.")],
    scene: SceneOpt,
    words: Annotated[
        bool,
        typer.Option("--words", help="One word a line: index, from, to (seconds), word, cut."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Print a recorded scene's words, numbered, the cut ones marked.

    Each line starts with the index of its first word (what --delete and --restore of
    `vidkit tighten` take) and when it is said, in seconds; cut words show as
    ~~words~~[reason]. The recording is transcribed first, once (it is cached)."""
    from vidkit.editing.recording import transcript

    state = session(ctx)
    ws = state.workspace()
    _edit_of(state, ws, slug, scene)
    with _display("transcribe", _STAGES, as_json=as_json) as show:
        view = transcript(ws, slug, scene, progress=show)
    if as_json:
        print_json(view.to_dict())
        return
    _show_view(ws, view, one_per_line=words)


# vidkit tighten -------------------------------------------------------------------------------


def _show_report(state: Session, slug: str, report: TightenReport) -> None:
    cuts = sum(1 for c in report.changes if c["action"] == "cut")
    fast = len(report.changes) - cuts
    counts = f"{cuts} cut" + ("" if cuts == 1 else "s") + (f", {fast} sped up" if fast else "")
    verb = "would be" if report.dry_run else "is"
    saved = report.before_ms - report.after_ms
    typer.echo(
        f"scene {report.scene_id} {verb} tightened: {duration(report.before_ms)} → "
        f"{duration(report.after_ms)} ({duration(max(0, saved))} shorter), {counts}"
    )
    if report.changes:
        rows = [
            [_seconds(c["start_ms"]), _seconds(c["end_ms"]), c["what"], c["text"]]
            for c in report.changes
        ]
        typer.echo(table(["FROM", "TO", "WHY", "WORDS"], rows, flex=3, right={0, 1}))
    if report.dry_run:
        typer.echo("dry run: nothing was changed")
    elif report.edit is not None:
        hint = state.command("tighten", slug, "--scene", str(report.scene_id), "--undo")
        typer.echo(f"saved as version {report.edit.version}; undo it with: {hint}")


def tighten(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="The project.")],
    scene: SceneOpt,
    delete: Annotated[
        list[str] | None,
        typer.Option(
            "--delete",
            metavar="WORDS",
            help="Cut these words (indices from `vidkit transcribe`): 12, or 3-7 (repeatable).",
        ),
    ] = None,
    restore: Annotated[
        list[str] | None,
        typer.Option(
            "--restore",
            metavar="WORDS",
            help="Keep these words even where a rule would cut them: 12, or 3-7 (repeatable).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be cut; change nothing.")
    ] = False,
    undo_last: Annotated[
        bool, typer.Option("--undo", help="Undo the scene's last edit instead.")
    ] = False,
    only_text: Annotated[
        bool,
        typer.Option(
            "--only-text",
            help="Apply only --delete and --restore: no cuts for pauses, fillers or restarts.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Cut a recorded scene's pauses, filler words and restarts (the rules are [tighten] in the
    config), and the words you --delete; prints the lengths before and after and every cut."""
    from vidkit.editing.recording import tighten as run
    from vidkit.editing.recording import undo

    state = session(ctx)
    deleted = [parse_word_range(v, "--delete") for v in delete or ()]
    restored = [parse_word_range(v, "--restore") for v in restore or ()]
    if undo_last and (deleted or restored or dry_run or only_text):
        fail("--undo undoes the last edit on its own: pass it without --delete, --restore, "
             "--only-text or --dry-run")  # fmt: skip
    ws = state.workspace()
    before = _edit_of(state, ws, slug, scene)
    if undo_last:
        now = undo(ws, slug, scene)
        if as_json:
            print_json(now.to_dict())
            return
        cuts = now.cuts.summary() if now.cuts else "not tightened"
        typer.echo(
            f"undid version {before.version} of scene {scene} ({before.note or 'an edit'}); "
            f"now version {now.version} ({now.note or 'an edit'}): {cuts}"
        )
        return
    with _display("tighten", _STAGES, as_json=as_json) as show:
        report = run(
            ws, slug, scene, delete=deleted, restore=restored, dry_run=dry_run,
            automatic=not only_text, progress=show,
        )  # fmt: skip
    if as_json:
        print_json(report.to_dict())
        return
    _show_report(state, slug, report)
