"""``/api/projects/{slug}/voices``: multipart upload of references with a consent record;
bad references are 422s naming the problem; choose and remove."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.backends.tts_doubles import shared_piper
from tests.http.support import field_errors

SAID = "Hello, my name is Ada, and this is a sample of my voice for the course videos."
FORM = {
    "name": "Ada",
    "transcript": SAID,
    "consent": "I agree to my voice being cloned for these course videos",
    "consent_by": "Ada Lovelace",
    "language": "en",
}


def test_upload_list_use_remove(
    api: httpx.Client, project: str, tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    url = f"/api/projects/{project}/voices"
    short = make_media("audio", 1.0)
    refused = api.post(url, data=FORM, files={"references": ("short.wav", short.read_bytes())})
    errors = field_errors(refused)
    assert "short.wav lasts 1.0 s" in " ".join(errors.values()), errors
    assert api.get(url).json() == []

    ref = tmp_path / "ada.wav"
    shared_piper().synthesize(SAID, ref)
    files = [
        ("references", ("ada.wav", ref.read_bytes())),
        ("references", ("b.wav", ref.read_bytes())),
    ]
    added = api.post(url, data=FORM, files=files)
    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["consent_by"], body["language"], len(body["more_sample_ids"])) == (
        "Ada Lovelace", "en", 1,
    )  # fmt: skip
    assert [v["name"] for v in api.get(url).json()] == ["Ada"]
    assert api.post(url, data=FORM, files=files).status_code == 409

    no_consent = api.post(url, data={**FORM, "name": "Bob", "consent_by": ""}, files=files)
    assert no_consent.status_code == 422

    assert api.post(f"{url}/Bob/use").status_code == 404
    chosen = api.post(f"{url}/Ada/use")
    assert chosen.json() == {"slug": project, "voice": "Ada"}
    assert api.get(f"/api/projects/{project}").json()["voice"] == "Ada"
    assert api.delete(f"{url}/Ada").status_code == 204
    assert api.get(f"/api/projects/{project}").json()["voice"] == ""
    assert api.get(url).json() == []
