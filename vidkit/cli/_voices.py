"""``vidkit voices add|list|remove|use``: voice profiles to clone, with the speaker's consent."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vidkit.cli._common import JsonFlag, YesFlag, confirm, session
from vidkit.cli._output import duration, print_json, table, when

Slug = Annotated[str, typer.Argument(metavar="SLUG", help="The project's slug.")]
Name = Annotated[str, typer.Argument(metavar="NAME", help="The voice profile's name.")]

app = typer.Typer(
    help="Voice profiles to clone: reference recordings, transcript and the speaker's consent.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    slug: Slug,
    name: Name,
    references: Annotated[
        list[Path],
        typer.Argument(
            metavar="REFERENCE...",
            help="Recordings of the speaker (3 s to 5 min each, 16 kHz or more, mostly speech).",
        ),
    ],
    transcript: Annotated[
        str, typer.Option("--transcript", help="What the first reference recording says.")
    ],
    consent: Annotated[
        str,
        typer.Option("--consent", help="The statement the speaker agreed to, in their words."),
    ],
    consent_by: Annotated[
        str, typer.Option("--consent-by", help="Who agreed (the speaker's name).")
    ],
    language: Annotated[
        str, typer.Option("--language", help="The speaker's language code, e.g. en or fr.")
    ] = "en",
    as_json: JsonFlag = False,
) -> None:
    """Add a voice profile, after checking every reference recording."""
    from vidkit.editing.voices import add_voice_profile

    ws = session(ctx).workspace()
    voice, checks = add_voice_profile(
        ws, slug, name, references, transcript=transcript, consent=consent,
        consent_by=consent_by, language=language,
    )  # fmt: skip
    if as_json:
        print_json(voice.to_dict())
        return
    speech = sum(c.speech_ms for c in checks)
    typer.echo(
        f"added voice {voice.name!r}: {len(checks)} reference(s), {duration(speech)} of speech; "
        f"consent by {voice.consent_by} on {when(voice.consent_at)}"
    )


@app.command("list")
def list_voices(ctx: typer.Context, slug: Slug, as_json: JsonFlag = False) -> None:
    """The project's voice profiles; ``*`` marks the one renders speak in."""
    ws = session(ctx).workspace()
    chosen = ws.project(slug).voice
    voices = ws.voices(slug)
    if as_json:
        print_json([v.to_dict() for v in voices])
        return
    if not voices:
        typer.echo(f"project {slug} has no voice profiles yet (vidkit voices add)")
        return
    rows = [
        ["*" if v.name == chosen else "", v.name, v.language, str(1 + len(v.more_sample_ids)),
         v.consent_by or "(not recorded)", when(v.consent_at or v.created_at), v.consent]
        for v in voices
    ]  # fmt: skip
    typer.echo(table(["", "NAME", "LANG", "REFS", "CONSENT BY", "WHEN", "STATEMENT"], rows, flex=6))


@app.command("use")
def use(
    ctx: typer.Context,
    slug: Slug,
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help='The profile to speak in; "" for the backend\'s own.'),
    ],
) -> None:
    """Make renders of the project speak in this voice profile."""
    from vidkit.editing.voices import use_voice

    use_voice(session(ctx).workspace(), slug, name)
    typer.echo(f"project {slug} now speaks in {name!r}" if name else f"project {slug} now "
               "speaks in the voice backend's own voice")  # fmt: skip


@app.command("remove")
def remove(ctx: typer.Context, slug: Slug, name: Name, yes: YesFlag = False) -> None:
    """Forget a voice profile (its recordings stay as assets)."""
    ws = session(ctx).workspace()
    ws.catalogue.voice(slug, name)
    confirm(f"Remove the voice profile {name!r}?", yes=yes, action="remove a voice profile")
    ws.remove_voice(slug, name)
    typer.echo(f"removed voice {name!r}")
