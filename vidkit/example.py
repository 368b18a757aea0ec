"""Project files: a project and its scenes described in TOML, loaded into the catalogue.

The example project in ``data/example/project.toml`` is one. The file has a ``[project]`` table
(slug, title, subtitle, description, width, height, fps, voice, avatar) and ``[[scenes]]`` tables
(title, narration, notes, target_duration_ms, avatar_* fields, captions, and ``code``: a code
file, relative to the project file, shown in that scene). Narration whitespace is normalised, so
it can be wrapped freely in the file. ``voice`` names one of the project's voice profiles, which
a file cannot create: it works when replacing a project that has that profile ("" is the speech
backend's default voice).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from vidkit.catalogue import PROJECT_FIELDS, SCENE_FIELDS, clean_project_fields, merge_scene
from vidkit.errors import Conflict, InvalidInput, NotFound
from vidkit.model import Project, Scene, validate_title
from vidkit.workspace import Workspace

__all__ = ["example_project_file", "load_project_file"]

_PROJECT_KEYS = PROJECT_FIELDS | {"avatar"}
#: ``avatar = "skimage:NAME"`` takes a picture from scikit-image's bundled sample data.
_SKIMAGE = "skimage:"
_SCENE_KEYS = SCENE_FIELDS | {"code"}


def example_project_file() -> Path:
    """The example project shipped in the repository's ``data/example`` folder."""
    path = Path(__file__).resolve().parents[1] / "data" / "example" / "project.toml"
    if not path.is_file():
        raise NotFound(
            f"the example project is not at {path}; it ships with the vidkit repository, "
            "not with an installed wheel"
        )
    return path


def _read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not path.is_file():
        raise InvalidInput(f"no project file at {path}", field="file")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path} is not valid TOML: {exc}", field="file") from exc
    unknown_top = set(raw) - {"project", "scenes"}
    if unknown_top:
        raise InvalidInput(
            f"{path}: unknown table(s) {', '.join(sorted(unknown_top))}", field="file"
        )
    project = raw.get("project")
    if not isinstance(project, dict):
        raise InvalidInput(f"{path} has no [project] table", field="project")
    _no_unknown(path, "[project]", project, _PROJECT_KEYS)
    scenes = raw.get("scenes", [])
    if not isinstance(scenes, list):
        raise InvalidInput(f"{path}: scenes must be [[scenes]] tables", field="scenes")
    for number, scene in enumerate(scenes, start=1):
        _no_unknown(path, f"scene {number}", scene, _SCENE_KEYS)
    return project, scenes


def _no_unknown(path: Path, where: str, table: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise InvalidInput(
            f"{path}: {where} has unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(allowed))}",
            field=sorted(unknown)[0],
        )


def load_project_file(ws: Workspace, path: Path, *, replace: bool = False) -> Project:
    """Create the project a file describes, or with ``replace`` make an existing one match it.

    Replacing keeps scene ids (and so cached renders) where a scene keeps its position, updates
    changed fields, adds new scenes and deletes scenes the file no longer has.
    """
    path = Path(path).resolve()
    project, scenes = _read(path)
    code_files = [_code_path(path, n, s) for n, s in enumerate(scenes, start=1)]
    _validate(path, project, scenes)
    slug = project.get("slug", "")
    avatar = _avatar_source(path, project.get("avatar"))
    fields = {k: v for k, v in project.items() if k not in ("slug", "avatar")}
    if "description" in fields and isinstance(fields["description"], str):
        fields["description"] = fields["description"].strip()
    existing = {p.slug for p in ws.projects()}
    if slug in existing:
        if not replace:
            raise Conflict(
                f"project {slug!r} already exists; pass --replace (replace=True) to make it "
                "match the file"
            )
        ws.update_project(slug, **fields)
    else:
        ws.create_project(slug, fields.pop("title", ""), **fields)
    current = ws.scenes(slug)
    for index, scene in enumerate(scenes):
        values = {k: v for k, v in scene.items() if k != "code"}
        for key in ("narration", "notes"):
            if isinstance(values.get(key), str):
                values[key] = " ".join(values[key].split())
        if index < len(current):
            scene_id = ws.update_scene(slug, current[index].id, **values).id
        else:
            scene_id = ws.add_scene(slug, values.pop("title", ""), **values).id
        _attach_code(ws, slug, scene_id, code_files[index])
    for extra in current[len(scenes) :]:
        ws.delete_scene(slug, extra.id)
    if avatar is not None:
        _import_avatar(ws, slug, avatar)
    return ws.project(slug)


def _avatar_source(path: Path, avatar: Any) -> str | Path | None:
    if avatar is None:
        return None
    if not isinstance(avatar, str) or not avatar:
        raise InvalidInput(f"{path}: [project] avatar must be a file path", field="avatar")
    if avatar.startswith(_SKIMAGE):
        from skimage import data

        if not callable(getattr(data, avatar.removeprefix(_SKIMAGE), None)):
            raise InvalidInput(
                f"{path}: scikit-image has no sample picture {avatar!r}", field="avatar"
            )
        return avatar
    full = (path.parent / avatar).resolve()
    if not full.is_file():
        raise InvalidInput(f"{path}: avatar picture {full} does not exist", field="avatar")
    return full


def _import_avatar(ws: Workspace, slug: str, avatar: str | Path) -> None:
    if isinstance(avatar, Path):
        ws.import_asset(slug, avatar, kind="avatar_image")
        return
    import tempfile

    from PIL import Image
    from skimage import data

    name = avatar.removeprefix(_SKIMAGE)
    loader = getattr(data, name)
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / f"{name}.png"
        Image.fromarray(loader()).save(file)
        ws.import_asset(slug, file, kind="avatar_image")


def _validate(path: Path, project: dict[str, Any], scenes: list[dict[str, Any]]) -> None:
    """Check every value before anything is written, so a bad file changes nothing."""
    try:
        clean_project_fields({k: v for k, v in project.items() if k != "avatar"})
        validate_title(project.get("title", ""))
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: [project] {exc}", field=exc.field) from None
    blank = Scene(id=0, project_id=0, position=1, title="-")
    for number, scene in enumerate(scenes, start=1):
        values = {k: v for k, v in scene.items() if k != "code"}
        try:
            validate_title(values.get("title", ""))
            merge_scene(blank, values)
        except InvalidInput as exc:
            raise InvalidInput(f"{path}: scene {number}: {exc}", field=exc.field) from None


def _code_path(path: Path, number: int, scene: dict[str, Any]) -> Path | None:
    code = scene.get("code")
    if code is None:
        return None
    if not isinstance(code, str):
        raise InvalidInput(f"{path}: scene {number} code must be a file path", field="code")
    full = (path.parent / code).resolve()
    if not full.is_file():
        raise InvalidInput(f"{path}: scene {number} code file {full} does not exist", field="code")
    return full


def _attach_code(ws: Workspace, slug: str, scene_id: int, code: Path | None) -> None:
    """Make ``code`` the scene's only code file."""
    keep = ws.import_asset(slug, code, kind="code_file", scene_id=scene_id).id if code else None
    for asset in ws.assets(slug, scene_id=scene_id, kind="code_file"):
        if asset.id != keep:
            ws.delete_asset(slug, asset.id)
