"""The image services against loopback stand-ins speaking their wire formats: OpenAI
``/v1/images/generations``, AUTOMATIC1111 ``/sdapi/v1/txt2img`` and ComfyUI (``/prompt``,
``/history/{id}``, ``/view``, progress over ``/ws``), including their failures; and what each
says it can do (``capability()``, for ``vidkit doctor``) from its read-only query."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.backends.image_servers import (
    comfy_checkpoints,
    json_reply,
    png_b64,
    png_bytes,
    read_only_routes,
    serve,
)
from tests.conftest import write_config
from vidkit.backends import registry
from vidkit.backends.imagegen.a1111 import A1111ImageGen
from vidkit.backends.imagegen.comfyui import ComfyUIImageGen, fill_workflow, load_workflow
from vidkit.backends.imagegen.openai_images import OpenAIImageGen
from vidkit.config import load_config
from vidkit.errors import BackendError, ConfigError

WORKFLOW = Path("vidkit/data/comfyui/portrait_workflow.json")


def test_openai_sends_b64_json_and_decodes_the_image() -> None:
    routes = {
        "POST /v1/images/generations": lambda p, b: json_reply({"data": [{"b64_json": png_b64()}]})
    }
    with serve(routes) as server:
        gen = OpenAIImageGen(server.url, model="m", api_key="k", timeout_s=5)
        image = gen.generate("a teacher", 7)
    _, _, body, headers = server.seen[0]
    assert body["response_format"] == "b64_json" and body["prompt"] == "a teacher"
    assert body["model"] == "m" and body["n"] == 1
    assert headers["Authorization"] == "Bearer k"
    assert image.png == png_bytes() and image.seed == 7 and image.backend == "openai"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (json_reply({"error": "bad key"}, 401), "HTTP 401.*api_key_env"),
        (json_reply({"error": "boom"}, 500), "HTTP 500"),
        ((200, b"<html>", "text/html"), "not JSON"),
        (json_reply({"data": []}), "without a data list"),
        (json_reply({"data": [{"b64_json": "!!!"}]}), "not base64"),
        (json_reply({"data": [{"b64_json": png_b64(b"not an image")}]}), "not an image"),
    ],
)
def test_openai_failures_are_backend_errors(reply: Any, message: str) -> None:
    routes = {"POST /v1/images/generations": lambda p, b: reply}
    with serve(routes) as server, pytest.raises(BackendError, match=message):
        OpenAIImageGen(server.url, timeout_s=5).generate("x", 1)


def test_a_slow_service_times_out_with_advice() -> None:
    with serve({"POST /v1/images/generations": lambda p, b: json_reply({})}) as server:
        server.delay_s = 1.0
        with pytest.raises(BackendError, match=r"did not answer within 0.2 s.*timeout_s"):
            OpenAIImageGen(server.url, timeout_s=0.2).generate("x", 1)


def test_a1111_sends_the_seed_and_reads_images() -> None:
    routes = {
        "POST /sdapi/v1/txt2img": lambda p, b: json_reply({"images": [png_b64()], "info": "{}"})
    }
    with serve(routes) as server:
        image = A1111ImageGen(server.url, timeout_s=5).generate("a teacher", 42)
        body = server.seen[0][2]
        assert body["seed"] == 42 and "a teacher" in body["prompt"] and body["batch_size"] == 1
        assert image.png == png_bytes() and image.backend == "a1111"
        server.routes["POST /sdapi/v1/txt2img"] = lambda p, b: json_reply({"images": []})
        with pytest.raises(BackendError, match="--api"):
            A1111ImageGen(server.url, timeout_s=5).generate("x", 1)
        server.routes["POST /sdapi/v1/txt2img"] = lambda p, b: json_reply({"detail": "x"}, 422)
        with pytest.raises(BackendError, match="HTTP 422"):
            A1111ImageGen(server.url, timeout_s=5).generate("x", 1)


def test_the_shipped_workflow_has_placeholders_filled() -> None:
    workflow = load_workflow(WORKFLOW)
    filled = json.dumps(fill_workflow(workflow, "a teacher", 9))
    assert "{{" not in filled and "a teacher, head and shoulders" in filled
    assert '"seed": 9' in filled


def test_a_workflow_without_placeholders_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text('{"1": {"inputs": {"text": "fixed"}}}')
    with pytest.raises(ConfigError, match="placeholders"):
        load_workflow(bad)


def _comfy_routes(outputs: dict[str, Any], status: str = "success") -> dict[str, Any]:
    history = {"p1": {"outputs": outputs, "status": {"status_str": status, "completed": True}}}
    return {
        "POST /prompt": lambda p, b: json_reply(
            {"prompt_id": "p1", "number": 1, "node_errors": {}}
        ),
        "GET /history/p1": lambda p, b: json_reply(history),
        "GET /view": lambda p, b: (200, png_bytes(), "image/png"),
    }


IMAGES = {"9": {"images": [{"filename": "a.png", "subfolder": "", "type": "output"}]}}


@contextmanager
def _progress_socket(messages: list[dict[str, Any]]) -> Iterator[str]:
    from websockets.sync.server import serve as ws_serve

    def handler(connection: Any) -> None:
        for message in messages:
            connection.send(json.dumps(message))

    with ws_serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/ws"
        server.shutdown()


def test_comfyui_queues_follows_progress_and_fetches_the_image() -> None:
    messages = [
        {"type": "progress", "data": {"value": 5, "max": 20, "prompt_id": "p1"}},
        {"type": "progress", "data": {"value": 10, "max": 20, "prompt_id": "p1"}},
        {"type": "executing", "data": {"node": None, "prompt_id": "p1"}},
    ]
    seen: list[float] = []
    with serve(_comfy_routes(IMAGES)) as server, _progress_socket(messages) as ws:
        gen = ComfyUIImageGen(server.url, WORKFLOW, timeout_s=5, ws_url=ws)
        image = gen.generate("a teacher", 11, progress=seen.append)
    queued = server.seen[0][2]
    assert queued["client_id"] and queued["prompt"]["3"]["inputs"]["seed"] == 11
    assert any(p.startswith("/view?filename=a.png") for _, p, _, _ in server.seen)
    assert seen == [0.25, 0.5, 1.0]
    assert image.png == png_bytes()


def test_comfyui_without_a_websocket_polls_history() -> None:
    with serve(_comfy_routes(IMAGES)) as server:
        gen = ComfyUIImageGen(server.url, WORKFLOW, timeout_s=5, ws_url="ws://127.0.0.1:9/ws")
        assert gen.generate("x", 1).png == png_bytes()


def test_comfyui_execution_error_is_reported() -> None:
    messages = [
        {"type": "execution_error", "data": {"prompt_id": "p1", "exception_message": "OOM"}}
    ]
    with serve(_comfy_routes(IMAGES)) as server, _progress_socket(messages) as ws:
        gen = ComfyUIImageGen(server.url, WORKFLOW, timeout_s=5, ws_url=ws)
        with pytest.raises(BackendError, match="OOM"):
            gen.generate("x", 1)


def test_comfyui_without_an_output_image_says_what_is_missing() -> None:
    with serve(_comfy_routes({"9": {"text": ["x"]}})) as server:
        gen = ComfyUIImageGen(server.url, WORKFLOW, timeout_s=5, ws_url="ws://127.0.0.1:9/ws")
        with pytest.raises(BackendError, match="SaveImage"):
            gen.generate("x", 1)


@pytest.mark.parametrize(
    ("backend", "kind"),
    [("openai", OpenAIImageGen), ("a1111", A1111ImageGen), ("comfyui", ComfyUIImageGen)],
)
def test_config_backend_picks_the_wire_format(tmp_path: Path, backend: str, kind: type) -> None:
    text = f'[services.image]\nurl = "http://127.0.0.1:9"\nbackend = "{backend}"\n'
    assert isinstance(registry.build_imagegen(load_config(write_config(tmp_path, text))), kind)


def test_config_workflow_is_read_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "mine.json").write_text(
        '{"1": {"inputs": {"text": "{{prompt}} x", "seed": "{{seed}}"}}}'
    )
    text = (
        '[services.image]\nurl = "http://127.0.0.1:9"\nbackend = "comfyui"\n'
        'workflow = "mine.json"\n'
    )
    gen = registry.build_imagegen(load_config(write_config(tmp_path, text)))
    assert (
        isinstance(gen, ComfyUIImageGen) and gen.workflow["1"]["inputs"]["text"] == "{{prompt}} x"
    )


def test_openai_capability_says_whether_the_model_is_listed() -> None:
    with serve(read_only_routes()) as server:
        gen = OpenAIImageGen(server.url, model="dall-e-3", api_key="k", timeout_s=5)
        assert gen.capability() == "generates images (OpenAI-compatible API, model dall-e-3 listed)"
        assert [(m, p, h["Authorization"]) for m, p, _, h in server.seen] == [
            ("GET", "/v1/models", "Bearer k")
        ]
        with pytest.raises(
            BackendError,
            match=r"does not list model 'flux' \(it lists: dall-e-3, gpt-image-1\); "
            r"set \[services.image\] model",
        ):
            OpenAIImageGen(server.url, model="flux", timeout_s=5).capability()


def test_a1111_capability_lists_the_checkpoints() -> None:
    with serve(read_only_routes()) as server:
        gen = A1111ImageGen(server.url, timeout_s=5)
        assert gen.capability() == (
            "generates images (AUTOMATIC1111/Forge, checkpoints sd_xl_base_1.0, dreamshaper_8)"
        )
        assert server.seen[0][1] == "/sdapi/v1/sd-models"
        server.routes["GET /sdapi/v1/sd-models"] = lambda p, b: json_reply([])
        with pytest.raises(BackendError, match="has no checkpoints"):
            gen.capability()
        del server.routes["GET /sdapi/v1/sd-models"]
        with pytest.raises(BackendError, match=r"404 Not Found.*started with --api"):
            gen.capability()


def test_comfyui_capability_finds_the_workflows_checkpoint(tmp_path: Path) -> None:
    mine = tmp_path / "sdxl.json"
    mine.write_text(WORKFLOW.read_text().replace("v1-5-pruned-emaonly", "sd_xl_base_1.0"))
    missing = tmp_path / "flux.json"
    missing.write_text(WORKFLOW.read_text().replace("v1-5-pruned-emaonly", "flux1-dev"))
    with serve(read_only_routes()) as server:
        shipped = ComfyUIImageGen(server.url, WORKFLOW, timeout_s=5)
        assert shipped.capability() == (
            "generates images (ComfyUI, checkpoint v1-5-pruned-emaonly.safetensors present)"
        )
        assert server.seen[0][1] == "/object_info/CheckpointLoaderSimple"
        assert (
            "sd_xl_base_1.0.safetensors present"
            in ComfyUIImageGen(server.url, mine, timeout_s=5).capability()
        )
        with pytest.raises(
            BackendError,
            match=r"has no checkpoint 'flux1-dev.safetensors' \(it has: sd_xl_base_1.0"
            r".*models/checkpoints.*\[services.image\] workflow",
        ):
            ComfyUIImageGen(server.url, missing, timeout_s=5).capability()
        combo = {"input": {"required": {"ckpt_name": ["COMBO", {"options": ["flux1-dev"]}]}}}
        server.routes["GET /object_info/CheckpointLoaderSimple"] = lambda p, b: json_reply(
            {"CheckpointLoaderSimple": combo}
        )
        with pytest.raises(BackendError, match=r"\(it has: flux1-dev\)"):
            shipped.capability()


def test_comfyui_capability_without_a_checkpoint_loader_lists_what_it_has(
    tmp_path: Path,
) -> None:
    unet = tmp_path / "unet.json"
    unet.write_text(
        '{"1": {"class_type": "UNETLoader", "inputs": {"t": "{{prompt}}", "s": "{{seed}}"}}}'
    )
    many = [f"model-{i}.safetensors" for i in range(8)]
    with serve(
        {"GET /object_info/CheckpointLoaderSimple": lambda p, b: comfy_checkpoints(*many)}
    ) as server:
        assert ComfyUIImageGen(server.url, unet, timeout_s=5).capability() == (
            "generates images (ComfyUI, checkpoints model-0.safetensors, model-1.safetensors, "
            "model-2.safetensors, model-3.safetensors, model-4.safetensors, "
            "model-5.safetensors, ... (8 in all))"
        )


GENERATORS: list[Any] = [
    lambda url: OpenAIImageGen(url, timeout_s=5),
    lambda url: A1111ImageGen(url, timeout_s=5),
    lambda url: ComfyUIImageGen(url, WORKFLOW, timeout_s=5),
]


@pytest.mark.parametrize("make", GENERATORS, ids=["openai", "a1111", "comfyui"])
@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (json_reply({"detail": "CUDA out of memory"}, 500), r"failed \(HTTP 500\): CUDA out"),
        (json_reply({"detail": "no"}, 401), r"HTTP 401.*\[services.image\] api_key_env"),
        ((200, b"<html>a proxy</html>", "text/html"), "not JSON"),
        (json_reply({"unexpected": True}), r"without (a data list|a list|its ckpt_name)"),
    ],
    ids=["500", "401", "not-json", "malformed"],
)
def test_capability_failures_name_the_section(make: Any, reply: Any, message: str) -> None:
    routes = {key: (lambda p, b: reply) for key in read_only_routes()}
    with serve(routes) as server, pytest.raises(BackendError, match=message) as info:
        make(server.url).capability()
    assert "[services.image]" in str(info.value)


def test_config_unknown_backend_names_the_key(tmp_path: Path) -> None:
    text = '[services.image]\nbackend = "midjourney"\n'
    with pytest.raises(ConfigError, match="backend"):
        load_config(write_config(tmp_path, text))
