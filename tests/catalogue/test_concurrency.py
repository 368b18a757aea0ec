"""Many processes share one catalogue file: no lost writes, no crash, survivable kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from vidkit.catalogue import Catalogue
from vidkit.errors import CatalogueLocked

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from vidkit.catalogue import Catalogue

    path, worker, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    catalogue = Catalogue(Path(path), lock_timeout_s=120)
    while not go.exists():
        time.sleep(0.005)
    for p in range(10):
        slug = f"w{worker}-p{p}"
        catalogue.create_project(slug=slug, title=f"Worker {worker} project {p}")
        for s in range(4):
            catalogue.add_scene(slug, title=f"scene {s}")
    """
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.mark.slow
def test_eight_processes_fifty_writes_each_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    Catalogue(path).projects()  # create and migrate first, as `make demo` would
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(w), str(go)],
            env=_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(8)
    ]
    time.sleep(1.0)  # let every interpreter start, then release them together
    go.touch()
    errors = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            errors.append(err)
    assert not errors, errors[0]

    catalogue = Catalogue(path)
    projects = catalogue.projects()
    assert len(projects) == 80
    assert sum(p.scene_count for p in projects) == 320
    for project in projects:
        assert [s.position for s in catalogue.scenes(project.slug)] == [1, 2, 3, 4]


KILLED = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from vidkit.catalogue import Catalogue

    catalogue = Catalogue(Path(sys.argv[1]))
    for i in range(int(sys.argv[2])):
        catalogue.create_project(slug=f"committed-{i}", title="kept")
        print(f"committed {i}", flush=True)
    with catalogue.transaction() as conn:
        for i in range(200):
            conn.execute(
                "INSERT INTO projects (slug, title, created_at, updated_at) "
                "VALUES (?, 'lost', now()::TIMESTAMP, now()::TIMESTAMP)", [f"uncommitted-{i}"]
            )
        print("inside transaction", flush=True)
        import time
        time.sleep(60)
    """
)


def test_sigkill_mid_transaction_keeps_every_committed_row(tmp_path: Path) -> None:
    path = tmp_path / "killed.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(path), "25"],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.startswith("inside transaction"):
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert lines[-2] == "committed 24"

    slugs = {p.slug for p in Catalogue(path).projects()}
    assert slugs == {f"committed-{i}" for i in range(25)}


STREAM = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from vidkit.catalogue import Catalogue

    catalogue = Catalogue(Path(sys.argv[1]))
    i = 0
    while True:
        catalogue.create_project(slug=f"row-{i}", title="t")
        print(i, flush=True)
        i += 1
    """
)


def test_sigkill_at_a_random_moment_keeps_every_reported_row(tmp_path: Path) -> None:
    path = tmp_path / "stream.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", STREAM, str(path)], env=_env(), stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    reported = -1
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        reported = int(line)
        if reported >= 30 or time.monotonic() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    slugs = {p.slug for p in Catalogue(path).projects()}
    assert {f"row-{i}" for i in range(reported + 1)} <= slugs


def test_lock_held_past_the_timeout_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "held.duckdb"
    Catalogue(path).create_project(slug="x", title="X")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(60)", str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(CatalogueLocked) as info:
            Catalogue(path, lock_timeout_s=0.5).projects()
        assert 0.5 <= time.monotonic() - started < 5
        message = str(info.value)
        assert f"process {holder.pid}" in message
        assert "lock_timeout_s" in message
    finally:
        holder.kill()
        holder.wait()
    assert [p.slug for p in Catalogue(path, lock_timeout_s=5).projects()] == ["x"]


def test_waiting_writer_gets_through_when_the_lock_is_released(tmp_path: Path) -> None:
    path = tmp_path / "brief.duckdb"
    Catalogue(path).projects()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(1.5); c.close(); time.sleep(30)", str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        holder.stdout.readline()
        project = Catalogue(path, lock_timeout_s=20).create_project(slug="patient", title="P")
        assert project.slug == "patient"
    finally:
        holder.kill()
        holder.wait()
    with duckdb.connect(str(path)) as conn:
        assert conn.execute("SELECT count(*) FROM projects").fetchone() == (1,)


def test_the_file_is_free_between_units_of_work(tmp_path: Path) -> None:
    """Each unit of work attaches the file and detaches it again: another program can open it
    in between, although this process keeps its DuckDB instance."""
    path = tmp_path / "shared.duckdb"
    catalogue = Catalogue(path)
    catalogue.create_project(slug="a", title="A")
    count = "print(c.execute('SELECT count(*) FROM projects').fetchone()[0])"
    reader = [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect(sys.argv[1]); {count}",
              str(path)]  # fmt: skip
    assert subprocess.run(reader, capture_output=True, text=True, check=True).stdout.strip() == "1"
    catalogue.create_project(slug="b", title="B")
    assert subprocess.run(reader, capture_output=True, text=True, check=True).stdout.strip() == "2"
    with catalogue.session():  # held: the other program is refused
        refused = subprocess.run(reader, capture_output=True, text=True)
    assert refused.returncode != 0 and "lock" in refused.stderr.lower()


def test_two_catalogues_in_one_process_stay_apart(tmp_path: Path) -> None:
    first, second = Catalogue(tmp_path / "one.duckdb"), Catalogue(tmp_path / "two.duckdb")
    with first.session():  # one file attached while a new, empty one is set up
        first.create_project(slug="only-in-one", title="One")
        second.create_project(slug="only-in-two", title="Two")
    assert [p.slug for p in first.projects()] == ["only-in-one"]
    assert [p.slug for p in second.projects()] == ["only-in-two"]

    def write(catalogue: Catalogue, prefix: str) -> None:
        for i in range(15):
            catalogue.create_project(slug=f"{prefix}-{i}", title=prefix)

    threads = [
        threading.Thread(target=write, args=(first, "t1")),
        threading.Thread(target=write, args=(second, "t2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {p.slug for p in first.projects()} == {"only-in-one"} | {f"t1-{i}" for i in range(15)}
    assert {p.slug for p in second.projects()} == {"only-in-two"} | {f"t2-{i}" for i in range(15)}


FORKING = textwrap.dedent(
    """
    import multiprocessing, sys
    from pathlib import Path
    from vidkit.catalogue import Catalogue

    def child(path):
        Catalogue(Path(path)).create_project(slug="from-child", title="Child")

    if __name__ == "__main__":
        path = sys.argv[1]
        Catalogue(Path(path)).create_project(slug="from-parent", title="Parent")
        forked = multiprocessing.get_context("fork").Process(target=child, args=(path,))
        forked.start()
        forked.join(timeout=60)
        sys.exit(forked.exitcode if forked.exitcode is not None else 99)
    """
)


def test_a_forked_child_makes_its_own_duckdb_instance(tmp_path: Path) -> None:
    """A process that used the catalogue forks a child that uses it too. It runs in a process
    of its own: forked from pytest, which by then holds threads of every library earlier tests
    loaded, the child could hang on a lock one of them held, which says nothing about vidkit."""
    path = tmp_path / "forked.duckdb"
    script = tmp_path / "forking.py"
    script.write_text(FORKING, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(path)], env=_env(), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert {p.slug for p in Catalogue(path).projects()} == {"from-parent", "from-child"}
