"""Recording audio from the browser's microphone: :class:`AudioRecorder`, a small anywidget
with a Record / Stop button and the elapsed seconds.

The front end (the inline ES module below; nothing is loaded from the network) asks for the
microphone with ``getUserMedia``, records with ``MediaRecorder`` (WebM/Opus in Chrome and
Firefox, MP4/AAC in Safari) and, on Stop, puts the whole take in the ``recording`` trait: the
bytes travel to the kernel as one binary buffer of the widget's comm message, with the take's
MIME type and length in ``mime`` and ``seconds``. A refused or missing microphone is a message
in the widget (and in ``problem``), never an error in the page.

:meth:`AudioRecorder.save_wav` turns the take into a 16-bit 48 kHz mono WAV with the same ffmpeg
binary vidkit uses (from ``imageio-ffmpeg``).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from vidkit.errors import MediaError

__all__ = ["MAX_SECONDS", "AudioRecorder", "to_wav"]

#: A take stops by itself after this long, a little under the 5 min a voice reference may last.
MAX_SECONDS = 295

_SUFFIXES = {"audio/webm": ".webm", "audio/ogg": ".ogg", "audio/mp4": ".m4a", "audio/wav": ".wav"}

_ESM = r"""
const SAYS = {
  denied: "The browser did not allow the microphone: allow it in the address bar (the " +
    "microphone or lock icon), or upload a recording instead.",
  missing: "No microphone was found: plug one in and try again, or upload a recording instead.",
  busy: "The microphone could not be started (another program may be using it): close that " +
    "program and try again, or upload a recording instead.",
  unsupported: "This browser cannot record here (recording needs a recent browser, and the " +
    "studio opened on localhost or over https): upload a recording instead.",
  failed: "The recording failed: try again, or upload a recording instead.",
};
const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];

function problemOf(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") return SAYS.denied;
  if (name === "NotFoundError" || name === "OverconstrainedError") return SAYS.missing;
  if (name === "NotReadableError" || name === "AbortError") return SAYS.busy;
  return SAYS.failed;
}

function part(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  node.className = className;
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function render({ model, el }) {
  const box = part("div", "vk-recorder-box");
  const button = part("button", "vk-record jupyter-button", { type: "button" });
  const clock = part("span", "vk-record-time", { role: "timer", "aria-label": "elapsed" });
  const status = part("span", "vk-record-status", { role: "status", "aria-live": "polite" });
  const problem = part("div", "vk-record-error", { role: "alert" });
  box.append(button, clock, status, problem);
  el.append(box);

  let recorder = null;
  let stream = null;
  let chunks = [];
  let started = 0;
  let took = 0;
  let ticker = null;
  let asking = false;

  const elapsed = () => (performance.now() - started) / 1000;
  const label = (text, recording) => {
    button.replaceChildren(part("span", "vk-record-dot", { "aria-hidden": "true" }), text);
    button.classList.toggle("mod-danger", recording);
  };
  const idle = () => {
    label("Record", false);
    button.disabled = false;
    const seconds = model.get("seconds");
    const has = model.get("recording");
    const kept = has && (has.byteLength || has.length);
    clock.textContent = kept ? `${seconds.toFixed(1)} s` : "";
    status.textContent = kept
      ? `Recorded ${seconds.toFixed(1)} s. Add voice uses it; Record again replaces it.`
      : "Nothing recorded yet.";
  };
  const showProblem = (text) => {
    problem.textContent = text;
    model.set("problem", text);
    model.save_changes();
  };
  const release = () => {
    if (ticker !== null) clearInterval(ticker);
    ticker = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  };

  async function start() {
    problem.textContent = "";
    model.set("problem", "");
    model.save_changes();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia ||
        typeof MediaRecorder === "undefined") {
      showProblem(SAYS.unsupported);
      return;
    }
    asking = true;
    button.disabled = true;
    status.textContent = "Asking the browser for the microphone…";
    try {
      // A voice reference wants the voice as it is: no echo cancelling, noise gate or gain.
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (error) {
      asking = false;
      idle();
      showProblem(problemOf(error));
      return;
    }
    asking = false;
    const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    let take;
    try {
      take = new MediaRecorder(stream, mimeType ? { mimeType, audioBitsPerSecond: 128000 } : {});
    } catch (error) {
      release();
      idle();
      showProblem(SAYS.failed);
      return;
    }
    chunks = [];
    took = 0;
    take.ondataavailable = (event) => {
      if (event.data && event.data.size) chunks.push(event.data);
    };
    take.onerror = () => {
      take.onstop = null;
      recorder = null;
      release();
      idle();
      showProblem(SAYS.failed);
    };
    take.onstop = () => finish(take.mimeType || mimeType, took);
    recorder = take;
    take.start(1000);
    started = performance.now();
    label("Stop", true);
    button.disabled = false;
    clock.textContent = "0 s";
    status.textContent = "Recording: read the transcript aloud, then click Stop.";
    const most = model.get("max_seconds");
    ticker = setInterval(() => {
      const seconds = elapsed();
      clock.textContent = `${Math.floor(seconds)} s`;
      if (seconds >= most) stop();
    }, 250);
  }

  function stop() {
    if (recorder && recorder.state !== "inactive") {
      took = elapsed();
      button.disabled = true;
      status.textContent = "Sending the recording to the studio…";
      recorder.stop();
    }
    release();
  }

  async function finish(type, seconds) {
    recorder = null;
    const blob = new Blob(chunks, { type });
    chunks = [];
    if (!blob.size) {
      idle();
      showProblem(SAYS.failed);
      return;
    }
    const bytes = await blob.arrayBuffer();
    model.set("mime", type || blob.type);
    model.set("seconds", Math.round(seconds * 10) / 10);
    model.set("recording", new DataView(bytes));
    model.save_changes();
    idle();
  }

  button.addEventListener("click", () => {
    if (asking) return;
    if (recorder && recorder.state === "recording") stop();
    else start();
  });
  const onChange = () => { if (!recorder && !asking) idle(); };
  model.on("change:recording", onChange);
  idle();
  problem.textContent = model.get("problem");

  return () => {
    model.off("change:recording", onChange);
    if (recorder && recorder.state !== "inactive") {
      recorder.onstop = null;
      recorder.stop();
    }
    recorder = null;
    release();
  };
}

export default { render };
"""

_CSS = """
.vk-recorder-box { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 4px 0; }
.vk-recorder-box .vk-record { min-width: 7em; }
.vk-recorder-box .vk-record-dot::before { content: "\\25CF"; color: #b00020; margin-right: 6px; }
.vk-recorder-box .mod-danger .vk-record-dot::before { content: "\\25A0"; color: inherit; }
.vk-recorder-box .vk-record-time { font-variant-numeric: tabular-nums; min-width: 4em; }
.vk-recorder-box .vk-record-error { color: #b00020; flex-basis: 100%; }
.vk-recorder-box .vk-record-error:empty { display: none; }
"""


def _bytes_from_json(value: Any, _widget: Any) -> bytes:
    """A binary buffer from the browser arrives as a memoryview; keep plain bytes."""
    return b"" if value is None else bytes(value)


class AudioRecorder(anywidget.AnyWidget):
    """Record / Stop button for the microphone; the last take is in :attr:`recording`.

    ``takes`` counts the takes received in this kernel (for naming them: ``recording-2.wav``).
    """

    _esm = _ESM
    _css = _CSS
    recording = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes_from_json)
    mime = traitlets.Unicode("").tag(sync=True)
    seconds = traitlets.Float(0.0).tag(sync=True)
    max_seconds = traitlets.Int(MAX_SECONDS).tag(sync=True)
    problem = traitlets.Unicode("").tag(sync=True)
    takes = traitlets.Int(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("vk-recorder")
        self.observe(self._counted, names="recording")

    def _counted(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.takes += 1

    @property
    def has_take(self) -> bool:
        return bool(self.recording)

    @property
    def take_name(self) -> str:
        """How messages and the stored profile call the current take."""
        return f"recording-{max(self.takes, 1)}.wav"

    def clear(self) -> None:
        """Forget the take (after it was used)."""
        self.recording = b""
        self.mime = ""
        self.seconds = 0.0

    def save_wav(self, path: Path) -> Path:
        """Write the take to ``path`` as 16-bit 48 kHz mono WAV."""
        return to_wav(self.recording, self.mime, path)


def to_wav(data: bytes, mime: str, path: Path, *, timeout_s: float = 120.0) -> Path:
    """Convert a browser recording (``mime`` as MediaRecorder reported it: WebM/Opus, Ogg,
    MP4) to a 16-bit 48 kHz mono WAV at ``path``; a :class:`MediaError` in words when ffmpeg
    cannot read it."""
    import imageio_ffmpeg

    if not data:
        raise MediaError("nothing was recorded: click Record, read the transcript, click Stop")
    suffix = _SUFFIXES.get(mime.split(";")[0].strip().lower(), ".audio")
    unreadable = MediaError(
        "the recording could not be read (the browser sent an incomplete file): record it "
        "again, or upload a recording instead"
    )
    with tempfile.TemporaryDirectory(prefix="vidkit-take-") as tmp:
        source = Path(tmp) / f"take{suffix}"
        source.write_bytes(data)
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-y",
            "-i", str(source), "-vn", "-ac", "1", "-ar", "48000", "-c:a", "pcm_s16le",
            "-f", "wav", str(path),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise unreadable from exc
    if done.returncode != 0 or not path.is_file() or path.stat().st_size <= 44:
        raise unreadable
    return path
