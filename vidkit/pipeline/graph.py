"""Each scene's stage graph — the only place that knows it.

Per project: the avatar photo is cut out and its face rigged (``cutout → rig``), giving the
:class:`Presenter` and its head-and-shoulders crop. Per scene::

    narration ──speak──▶ speech ──animate (with the presenter)──▶ avatar video
                           │     └──────────────compose──────────────▶ scene MP4
    capture script ──capture (steps tied to the speech's words)──▶ screen ─┘

A scene's screen source is chosen by the rules of :mod:`vidkit.pipeline.sources` (a recording
edit, else its capture script, recording, code file or image); a capture script is run by the
``capture`` stage after the speech, as its tied steps act when their words are said.

``compose`` renders the scene's :class:`~vidkit.timeline.Timeline`, which
:func:`scene_timeline` (:mod:`vidkit.pipeline.scene_rules`) builds and nothing else does: the
screen source fitted to the speech,
captions from the word timings, the presenter placed by the scene's layout and cropped by the
crop rule, the title-card rule, the audio. Editors preview exactly this timeline (with an
estimated length before the narration is spoken), so a preview and a render cannot differ.

A :class:`SceneGraph` runs the stages through the cache (:mod:`vidkit.pipeline.cache`); it
is the only place that chooses between doing work and only looking results up
(``lookup_only``), which is how :func:`peek_scene` tells what is rendered already.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from vidkit.config import Config
from vidkit.errors import VidkitError
from vidkit.model import Asset, Project, Scene, check_narration
from vidkit.pipeline import cache
from vidkit.pipeline.events import Event, Progress, SceneResult
from vidkit.pipeline.scene_rules import (
    Cue,
    Presenter,
    avatar_layer,
    presenter_crop,
    qc_facts,
    qc_summary,
    scene_timeline,
    title_cards,
)
from vidkit.pipeline.sources import (
    Recorded,
    recorded_cuts,
    recorded_layer,
    screen_asset,
    screen_layer,
    stills_folder,
)
from vidkit.stages.step import Step
from vidkit.timeline import (
    AvatarLayer,
    RecordingSource,
    Timeline,
)
from vidkit.timing import Transcript
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    from vidkit.capture.service import Surface
    from vidkit.qc import SceneFacts
    from vidkit.stages.analyse import Analysed
    from vidkit.stages.animate import Animation
    from vidkit.stages.capture import CapturedScreen
    from vidkit.stages.compose import LiveCompose
    from vidkit.stages.qc import Checked
    from vidkit.stages.speak import Speech, Voice
    from vidkit.stages.transcribe import Transcribed

__all__ = [
    "Presenter",
    "Recorded",
    "SceneGraph",
    "ScenePeek",
    "avatar_layer",
    "backend",
    "peek_scene",
    "presenter_crop",
    "qc_facts",
    "qc_summary",
    "recorded_cuts",
    "recorded_layer",
    "scene_timeline",
    "screen_asset",
    "screen_layer",
    "title_cards",
]

T = TypeVar("T")

log = logging.getLogger("vidkit.pipeline")


@lru_cache(maxsize=16)
def backend(config: Config, role: str) -> Any:
    """One backend of each role per config and process: models load once, and fingerprints
    (which hash model files) are computed once, however many scenes are rendered."""
    from vidkit.backends import registry

    builders: dict[str, Callable[[Config], Any]] = {
        "tts": registry.build_tts,
        "animator": registry.build_animator,
        "matting": registry.build_matting,
        "facerig": registry.build_facerig,
        "transcriber": registry.build_transcriber,
    }
    return builders[role](config)


# The graph -----------------------------------------------------------------------------------


class SceneGraph:
    """A project's stages, wired and run through the cache. With ``lookup_only`` nothing is
    made: a stage whose result is not stored raises :class:`~vidkit.pipeline.cache.NotCached`.

    Backends are built from the config, once per process; ``backends`` hands in others by
    role (``tts``, ``matting``, ``facerig``, ``animator``). ``voice`` speaks in that voice
    profile of the project instead of the project's chosen one ("" for the backend's own).
    ``capture`` is where captures are started: ``"local"`` (Python, the CLI, the studio) or
    ``"http"`` (the HTTP API: terminal commands and local pages only as ``[services.capture]``
    allows).
    """

    def __init__(
        self,
        ws: Workspace,
        slug: str,
        *,
        lookup_only: bool = False,
        progress: Progress | None = None,
        backends: Mapping[str, Any] | None = None,
        voice: str | None = None,
        capture: Surface = "local",
    ) -> None:
        self.ws, self.slug, self.config = ws, slug, ws.config
        self.lookup_only = lookup_only
        self.say: Progress = progress or (lambda _e: None)
        self.backends = dict(backends or {})
        self.voice_name = voice
        self.surface: Surface = capture

    def backend(self, role: str) -> Any:
        """The backend of ``role`` this graph runs with."""
        if role in self.backends:
            return self.backends[role]
        return backend(self.config, role)

    def run(self, step: Step[T]) -> T:
        return cache.run(self.ws, self.slug, step, lookup_only=self.lookup_only)

    def presenter(self) -> Presenter | None:
        """Cut out the project's avatar photo and rig its face (both cached); None when the
        project has no avatar photo (its video is rendered without a presenter)."""
        images = self.ws.assets(self.slug, kind="avatar_image")
        if not images:
            return None
        return self._presenter_of(images[-1])

    def adopt_photo(
        self,
        source: str | os.PathLike[str] | BinaryIO,
        *,
        filename: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> tuple[Asset, Presenter]:
        """Make a portrait (a file, or a stream named ``filename``) the project's avatar photo
        once it has been cut out and rigged; until then it is stored as a plain ``image`` that
        no render uses, and if either stage fails it is deleted and the old photo stays.
        ``metadata`` is added to the avatar_image's (a generated portrait's provenance, say).
        Returns the ``avatar_image`` asset and its presenter."""
        ws, slug = self.ws, self.slug
        before = {a.id for a in ws.assets(slug, kind="image")}
        if isinstance(source, (str, os.PathLike)):
            staged = ws.import_asset(slug, source, kind="image")
        else:
            staged = ws.import_stream(slug, source, filename=filename or "photo", kind="image")
        try:
            presenter = self._presenter_of(staged)
            photo = ws.catalogue.add_asset(
                slug,
                kind="avatar_image",
                path=staged.path,
                sha256=staged.sha256,
                size_bytes=staged.size_bytes,
                metadata={**staged.metadata, **(metadata or {})},
            )
        finally:
            if staged.id not in before:  # the file stays while the avatar_image shares it
                ws.delete_asset(slug, staged.id)
        return photo, presenter

    def _presenter_of(self, image: Asset) -> Presenter:
        from vidkit.stages.cutout import cutout
        from vidkit.stages.rig import rig

        config = self.config
        portrait = self.run(
            cutout(self.ws, image, self.backend("matting"), max_side=config.avatar.max_side)
        )
        self.say(Event("cutout", None, 1, 1, portrait.cached))
        face = self.run(rig(self.ws, portrait.portrait, self.backend("facerig")))
        self.say(Event("rig", None, 1, 1, face.cached))
        width = int(portrait.portrait.metadata["width"])
        height = int(portrait.portrait.metadata["height"])
        crop = presenter_crop(width, height, face.rig.landmarks)
        return Presenter(portrait.portrait.id, face.asset.id, width, height, crop)

    def voice(self, project: Project) -> Voice | None:
        """The project's chosen voice profile (:class:`~vidkit.stages.speak.Voice`), or None
        for the voice backend's own voice."""
        name = project.voice if self.voice_name is None else self.voice_name
        if not name:
            return None
        from vidkit.backends.tts import VoiceProfile
        from vidkit.stages.speak import Voice

        record = self.ws.catalogue.voice(self.slug, name)
        if not record.has_consent:
            from vidkit.errors import InvalidInput

            raise InvalidInput(
                f"the voice profile {name!r} has no consent statement, so it cannot be used; "
                "add it again with the speaker's consent",
                field="voice",
            )
        sample = self.ws.catalogue.asset(record.sample_asset_id)
        more = [self.ws.catalogue.asset(i) for i in record.more_sample_ids]
        profile = VoiceProfile(
            record.name, self.ws.asset_path(sample), record.transcript, record.consent,
            more_references=tuple(self.ws.asset_path(a) for a in more),
            language=record.language, key=sample.sha256,
        )  # fmt: skip
        return Voice(profile, "+".join([sample.sha256, *(a.sha256 for a in more)]))

    def transcript(self, recording: Asset, scene: Scene | None = None) -> Transcribed:
        """The recording's transcript (a :class:`~vidkit.stages.transcribe.Transcribed`)."""
        from vidkit.stages.transcribe import transcribe

        pos = scene.position if scene is not None else None
        language = self.config.transcribe.language or None
        step = transcribe(
            self.ws, recording, self.backend("transcriber"), language=language,
            progress=lambda d, t: self.say(Event("transcribe", pos, d, t)),
        )  # fmt: skip
        found = self.run(step)
        self.say(Event("transcribe", pos, 1, 1, found.cached))
        return found

    def analysis(self, recording: Asset, scene: Scene | None = None) -> Analysed:
        """Where the recording's speech and idle screen are (an
        :class:`~vidkit.stages.analyse.Analysed`)."""
        from vidkit.stages.analyse import analyse_recording

        pos = scene.position if scene is not None else None
        step = analyse_recording(
            self.ws, recording, progress=lambda d, t: self.say(Event("analyse", pos, d, t))
        )
        found = self.run(step)
        self.say(Event("analyse", pos, 1, 1, found.cached))
        return found

    def recorded(self, scene: Scene, project: Project | None = None) -> Recorded | None:
        """The scene's recording, cut list and transcript, or None for a scene that is not
        made from a recording."""
        with self.ws.catalogue.session():
            edit = self.ws.catalogue.scene_edit(self.slug, scene.id)
            if edit is None:
                return None
            project = project or self.ws.project(self.slug)
            recording = self.ws.catalogue.asset(edit.recording_id)
        cuts = recorded_cuts(edit, recording, project.fps)
        transcript = None
        if recording.metadata.get("has_audio"):
            try:
                transcript = self.transcript(recording, scene).transcript
            except cache.NotCached:
                if not self.lookup_only:
                    raise
                # Looking only: the scene is known to be recorded, its words are not yet.
        return Recorded(edit, recording, cuts, transcript)

    def speech(self, scene: Scene, project: Project | None = None) -> Speech:
        """The scene's narration spoken in the project's voice (a
        :class:`~vidkit.stages.speak.Speech`); for a scene made from a recording, the
        speaker's own voice as its cut list tightens it, or the kept words re-voiced."""
        from vidkit.stages.speak import speak
        from vidkit.text.lexicon import Lexicon

        pos = scene.position
        with self.ws.catalogue.session():
            project = project or self.ws.project(self.slug)
            lexicon = Lexicon.default().updated(self.ws.lexicon(self.slug))
            voice = self.voice(project)
        recorded = self.recorded(scene, project)
        if recorded is not None and recorded.edit.voice == "own":
            from vidkit.stages.tighten import tighten

            step_own = tighten(
                self.ws, scene.id, recorded.recording, recorded.cuts,
                recorded.transcript or Transcript(int(recorded.recording.duration_ms or 0)),
                crossfade_ms=self.config.tighten.crossfade_ms,
            )  # fmt: skip
            own = self.run(step_own)
            self.say(Event("speak", pos, 1, 1, own.cached))
            return own
        text = recorded.kept_text if recorded is not None else scene.narration
        narration = check_narration(text, spoken=True, where=f"scene {pos}")
        step = speak(
            self.ws, scene.id, narration, self.backend("tts"), lexicon=lexicon,
            chunk_chars=self.config.voice.chunk_chars, voice=voice,
            progress=lambda d, t: self.say(Event("speak", pos, d, t)),
        )  # fmt: skip
        speech = self.run(step)
        self.say(Event("speak", pos, 1, 1, speech.cached))
        return speech

    def scene(self, scene: Scene, presenter: Presenter | None) -> SceneResult:
        """Run one scene's stages and return its rendered MP4. A presenter animated now is
        composed in the same pass (:class:`~vidkit.stages.compose.LiveCompose`)."""
        with self.ws.catalogue.session():
            project = self.ws.project(self.slug)
        speech = self.speech(scene, project)
        captured = self.captured(project, scene, speech)
        animation, live = self.animation(project, scene, speech, presenter, captured=captured)
        composed, facts = self.composed(
            project, scene, speech, presenter, animation, live, captured=captured
        )
        return self.checked(scene, speech, composed, facts)

    def captured(
        self, project: Project, scene: Scene, speech: Speech | None
    ) -> CapturedScreen | None:
        """The scene's captured screen (a :class:`~vidkit.stages.capture.CapturedScreen`)
        when its screen is a capture script, run after the speech: steps tied to words of the
        narration act when ``speech`` says them (None: spoken here if a step is tied). None
        for a scene with another screen."""
        from vidkit.capture import load_script, tie_times
        from vidkit.capture.run import check_allowed
        from vidkit.capture.service import capture_options
        from vidkit.stages.capture import capture_screen

        with self.ws.catalogue.session():
            if self.ws.catalogue.scene_edit(self.slug, scene.id) is not None:
                return None  # a recorded scene shows its recording
            shown = screen_asset(self.ws, self.slug, scene.id)
        if shown is None or shown.kind != "capture_script":
            return None
        pos = scene.position
        text = self.ws.asset_path(shown).read_text(encoding="utf-8")
        script = load_script(text)
        if not self.lookup_only:  # refused before any work (or job record) starts
            check_allowed(script, capture_options(self.config, self.surface, secrets=False))
        steps: Sequence[Any] = script.steps
        if speech is None and any(step.at for step in steps):
            speech = self.speech(scene, project)
        words = speech.timings.words if speech is not None else ()
        fps = max(1, round(project.fps))
        step = capture_screen(
            scene.id, shown, script, size=(project.width, project.height), fps=fps,
            ties=tie_times(script, words), words=words,
            options=lambda: self.capture_options(scene.id),
            progress=lambda d, t: self.say(Event("capture", pos, d, t)),
        )  # fmt: skip
        found = self.run(step)
        self.say(Event("capture", pos, 1, 1, found.cached))
        return found

    def capture_options(self, scene_id: int) -> Any:
        """The :class:`~vidkit.capture.CaptureOptions` this graph's captures of the scene
        run with (its surface's, a failing step's still saved in the scene's folder)."""
        from vidkit.capture.service import capture_options

        stills = stills_folder(self.ws, self.slug, scene_id)
        return capture_options(self.config, self.surface, stills_dir=stills)

    def animation(
        self,
        project: Project,
        scene: Scene,
        speech: Speech,
        presenter: Presenter | None,
        *,
        compose_live: bool = True,
        captured: CapturedScreen | None = None,
    ) -> tuple[Animation | None, LiveCompose | None]:
        """The presenter speaking the scene (an :class:`~vidkit.stages.animate.Animation`,
        None without a presenter), and the compose run fed while it was made, if any
        (``compose_live=False``: animate only; ``captured``: the scene's captured screen,
        which a live compose shows)."""
        if presenter is None:
            return None, None
        from vidkit.backends.facerig import Rig
        from vidkit.stages.animate import animate
        from vidkit.stages.compose import LiveCompose
        from vidkit.stages.rig import RigResult

        pos = scene.position
        with self.ws.catalogue.session():
            portrait = self.ws.catalogue.asset(presenter.portrait)
            rig_asset = self.ws.catalogue.asset(presenter.rig)
        rig = RigResult(rig_asset, Rig.from_json(self.ws.asset_path(rig_asset).read_text()))
        live = None
        if compose_live and not self.lookup_only:
            timeline, cues, _ = self.timeline(
                project, scene, speech, avatar_layer(presenter, scene.layout), captured
            )
            live = LiveCompose(
                timeline, cues, render=self.config.render,
                progress=lambda d, t: self.say(Event("compose", pos, d, t)),
            )  # fmt: skip
        step = animate(
            self.ws, scene.id, self.backend("animator"), portrait=portrait, rig=rig,
            speech=speech, fps=project.fps, frames_to=live,
            progress=lambda d, t: self.say(Event("animate", pos, d, t)),
        )  # fmt: skip
        try:
            animation = self.run(step)
        except BaseException:
            if live is not None:
                live.discard()
            raise
        self.say(Event("animate", pos, 1, 1, animation.cached))
        return animation, live

    def timeline(
        self,
        project: Project,
        scene: Scene,
        speech: Speech,
        avatar: AvatarLayer | None,
        captured: CapturedScreen | None = None,
    ) -> tuple[Timeline, list[Cue], Asset | None]:
        recorded = self.recorded(scene, project)
        return scene_timeline(
            self.ws, project, scene, speech.timings, audio=self.ws.asset_path(speech.audio),
            avatar=avatar, render=self.config.render, recorded=recorded, captured=captured,
        )  # fmt: skip

    def compose(
        self,
        project: Project,
        scene: Scene,
        speech: Speech,
        presenter: Presenter | None,
        animation: Animation | None,
        live: LiveCompose | None = None,
        *,
        captured: CapturedScreen | None = None,
    ) -> SceneResult:
        """Compose the scene (``captured``: its captured screen, looked up or made here when
        not given)."""
        result, _ = self.composed(
            project, scene, speech, presenter, animation, live, captured=captured
        )
        return result

    def composed(
        self,
        project: Project,
        scene: Scene,
        speech: Speech,
        presenter: Presenter | None,
        animation: Animation | None,
        live: LiveCompose | None = None,
        *,
        captured: CapturedScreen | None = None,
    ) -> tuple[SceneResult, SceneFacts]:
        """:meth:`compose`, and what the quality checks need to know of the scene's timeline."""
        from vidkit.stages.compose import compose

        pos = scene.position
        if captured is None:
            captured = self.captured(project, scene, speech)
        avatar = None
        if presenter is not None and animation is not None:
            avatar = avatar_layer(presenter, scene.layout, self.ws.asset_path(animation.video))
        with self.ws.catalogue.session():
            timeline, cues, shown = self.timeline(project, scene, speech, avatar, captured)
        fit = timeline.screen.fit.note if timeline.screen else ""
        report = {
            "scene_id": scene.id,
            "position": pos,
            "title": scene.title,
            "duration_ms": timeline.duration_ms,
            "frames": timeline.duration,
            "screen": shown.kind if shown else "none",
            "fit": fit or "exact",
            "captions": len(cues),
        }
        if captured is not None:
            report["capture"] = {
                "steps": [list(step) for step in captured.steps],
                "tied": captured.tied,
                "warnings": list(captured.warnings),
            }
        source = timeline.screen.source if timeline.screen else None
        if isinstance(source, RecordingSource) and source.cuts is not None:
            cuts = source.cuts
            report["recording"] = {
                "source_ms": cuts.source_ms,
                "played_ms": cuts.output_ms,
                "cuts": sum(1 for s in cuts.spans if s.action == "cut"),
                "sped_up": sum(1 for s in cuts.spans if s.action == "speed"),
                "summary": cuts.summary(),
            }
        step = compose(
            self.ws, scene.id, timeline, cues, render=self.config.render, report=report,
            progress=lambda d, t: self.say(Event("compose", pos, d, t)), live=live,
        )  # fmt: skip
        composed = self.run(step)
        self.say(Event("compose", pos, 1, 1, composed.cached))
        cached = {"speak": speech.cached, "compose": composed.cached}
        if captured is not None:
            cached["capture"] = captured.cached
        if animation is not None:
            cached["animate"] = animation.cached
        result = SceneResult(
            pos, scene.id, scene.title, composed.video, composed.captions, composed.report, cached
        )
        return result, qc_facts(timeline, str(report["screen"]), self.config.render)

    def checked(
        self, scene: Scene, speech: Speech, result: SceneResult, facts: SceneFacts
    ) -> SceneResult:
        """Check the composed scene (the ``qc`` stage, cached): ``result`` with its QC
        summary in ``report["qc"]`` (see :func:`qc_summary`)."""
        found = self.qc(scene, speech, result, facts)
        report = {**result.report, "qc": qc_summary(found)}
        return replace(result, report=report, cached={**result.cached, "qc": found.cached})

    def qc(self, scene: Scene, speech: Speech, result: SceneResult, facts: SceneFacts) -> Checked:
        """The composed scene's QC report (a :class:`~vidkit.stages.qc.Checked`)."""
        from vidkit.render.caption_edits import written_cues
        from vidkit.stages.qc import qc

        pos = scene.position
        cues = json.loads(self.ws.asset_path(result.captions).read_text(encoding="utf-8"))
        step = qc(
            self.ws, scene.id, result.video, narration=speech.audio, timings=speech.timings,
            cues=written_cues(
                [(int(a), int(b), str(t)) for a, b, t in cues],
                {e.was: e.text for e in scene.caption_edits},
            ),
            facts=facts,
            limits=self.config.qc,
            facerig=self.backend("facerig") if facts.presenter is not None else None,
            progress=lambda d, t: self.say(Event("qc", pos, d, t)),
        )  # fmt: skip
        found = self.run(step)
        self.say(Event("qc", pos, 1, 1, found.cached))
        return found


# Looking without working ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScenePeek:
    """What is already made of a scene, found without making anything: its speech (a
    :class:`~vidkit.stages.speak.Speech`), the presenter's animation, its rendered video, its
    captured screen when its screen is a capture script; ``problem`` says why the graph
    stopped early (a voice that cannot be built, a tied step the narration does not say)."""

    scene: Scene
    speech: Speech | None = None
    animation: Animation | None = None
    rendered: SceneResult | None = None
    problem: str | None = None
    captured: CapturedScreen | None = None
    qc: Checked | None = None


def peek_scene(
    ws: Workspace,
    slug: str,
    scene: Scene,
    presenter: Presenter | None,
    *,
    whole: bool = True,
    checks: bool = False,
) -> ScenePeek:
    """How far the scene's graph is already done, from the cache alone (``presenter``: the
    project's, itself looked up with ``SceneGraph(ws, slug, lookup_only=True).presenter()``).
    ``whole=False`` looks no further than the speech (the presenter is not ready yet, so no
    animation or video of the current content can exist); ``checks`` looks the rendered
    scene's QC report up too (``qc``: None when it is not checked yet)."""
    graph = SceneGraph(ws, slug, lookup_only=True)
    speech: Speech | None = None
    animation: Animation | None = None
    captured: CapturedScreen | None = None
    try:
        with ws.catalogue.session():
            project = ws.project(slug)
        speech = graph.speech(scene, project)
        captured = graph.captured(project, scene, speech)
        if not whole:
            return ScenePeek(scene, speech, captured=captured)
        animation, _ = graph.animation(project, scene, speech, presenter, captured=captured)
        rendered, facts = graph.composed(
            project, scene, speech, presenter, animation, captured=captured
        )
    except cache.NotCached:
        return ScenePeek(scene, speech, animation, captured=captured)
    except VidkitError as exc:
        return ScenePeek(scene, speech, animation, problem=str(exc), captured=captured)
    checked = None
    if checks:
        try:
            checked = graph.qc(scene, speech, rendered, facts)
        except cache.NotCached:
            pass
        except VidkitError as exc:
            log.info("the QC report of scene %s cannot be looked up: %s", scene.position, exc)
    return ScenePeek(scene, speech, animation, rendered, captured=captured, qc=checked)
