"""The shape of the code: every module imports on its own, no import cycle, arrows point
down (a stage never imports another stage or a front end), light commands stay light, and
every stage's record survives the catalog."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from podkit.records import (
    FeedItem,
    NormaliseResult,
    NotesResult,
    StoryEntry,
    TagResult,
    TranscribeResult,
)

from .conftest import ROOT

PACKAGE = ROOT / "podkit"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(module_name(p) for p in PACKAGE.rglob("*.py"))


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("module", [m for m in MODULES if m != "podkit.__main__"])
def test_every_module_imports_in_a_fresh_interpreter(module):
    proc = run_python(f"import {module}")
    assert proc.returncode == 0, proc.stderr


def test_package_faces_resolve_every_name_they_export():
    code = """
import importlib
for name in ("podkit.normalise", "podkit.transcribe", "podkit.notes", "podkit.tag", "podkit.publish",
             "podkit.runner", "podkit.config"):
    package = importlib.import_module(name)
    for attr in package.__all__:
        assert getattr(package, attr) is not None, (name, attr)
    try:
        getattr(package, "no_such_name")
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError(name + " invents names")
print("ok")
"""
    proc = run_python(code)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def loaded_after(code: str) -> set[str]:
    proc = run_python(code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))")
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


HEAVY = ("numpy", "torch", "faster_whisper", "ctranslate2", "whisper", "sentence_transformers", "scipy")


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_transcript_formats_do_not_load_the_settings():
    modules = loaded_after("import podkit.transcribe.formats")
    assert not {m for m in modules if m == "podkit.config" or m.startswith("podkit.config.")}
    assert not heavy(modules)


def test_reading_a_stage_s_options_loads_none_of_its_work():
    modules = loaded_after(
        "import podkit.config, podkit.transcribe.options, podkit.normalise.options, podkit.notes.options"
    )
    assert not heavy(modules)
    assert "podkit.transcribe.engines" not in modules and "podkit.ffmpeg" not in modules


def test_help_and_lint_import_nothing_heavy(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>')
    for argv in (["--help"], ["lint", str(feed)], ["run", "--help"]):
        code = f"""
import sys
from podkit.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
"""
        modules = loaded_after(code)
        assert not heavy(modules), (argv, heavy(modules))


# -- the import graph ------------------------------------------------------------------------


def imports_of(path: Path) -> set[str]:
    """podkit modules a file imports, anywhere in it (deferred imports hide cycles too), except
    under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("podkit"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("podkit"):
                continue
            for alias in node.names:  # "from . import x" imports the module x
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    found.discard(here)
    return {m for m in found if m in MODULES}


GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def test_no_import_cycle():
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


LEAVES = ("podkit.errors", "podkit.records", "podkit.clock", "podkit.mime", "podkit.categories", "podkit._lazy")
STAGES = ("normalise", "transcribe", "notes", "tag", "publish")
FRONT_ENDS = ("podkit.cli", "podkit.watch", "podkit.__main__")


def owner(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_arrows_point_down():
    for leaf in LEAVES:
        assert not GRAPH[leaf], f"the leaf module {leaf} imports {GRAPH[leaf]}"
    for module, deps in GRAPH.items():
        for dep in deps:
            assert dep not in FRONT_ENDS or module in FRONT_ENDS, f"{module} imports the front end {dep}"
            if owner(module) in STAGES and owner(dep) in STAGES:
                assert owner(module) == owner(dep), f"the stage module {module} imports another stage: {dep}"
            if owner(module) in (*STAGES, "ingest", "config", "catalog", "ffmpeg", "fsutil"):
                assert owner(dep) != "runner", f"{module} imports the runner ({dep})"
    # The settings read each stage's options, and nothing else of a stage.
    for module in (m for m in GRAPH if owner(m) == "config"):
        for dep in GRAPH[module]:
            if owner(dep) in STAGES:
                assert dep.endswith(".options"), f"{module} imports {dep}"


# -- stage records survive the catalog ---------------------------------------------------------

RECORDS = [
    NormaliseResult(
        channels=2,
        input_loudness=-23.456,
        input_true_peak=-3.2,
        target=-16.0,
        gain_db=7.4561,
        start_s=0.25,
        end_s=61.2,
        duration=60.95,
        limited=True,
        max_reduction_db=1.25,
        output_loudness=-16.02,
        output_true_peak=-1.4,
        verified=True,
        passes=2,
        notes=("after 2 passes",),
    ),
    TranscribeResult(
        language="en",
        duration=60.9,
        segments=12,
        words=300,
        engine="faster-whisper",
        model="tiny.en",
        files=("transcripts/a.json", "transcripts/a.vtt"),
    ),
    NotesResult(
        stories=(
            StoryEntry(0.0, 31.5, "Solar & <panels>", "They vote.", ("https://example.org/a",)),
            StoryEntry(31.5, 60.9, "Rain", "Rain all week.", ()),
        ),
        unassigned_links=("https://example.org/b",),
        chapter_list="00:00 Solar & <panels>\n00:31 Rain",
        files=("transcripts/a.chapters.json",),
    ),
    TagResult(
        frames=("APIC", "TIT2"),
        file="public/media/a.mp3",
        item=FeedItem(
            title="A",
            description="d",
            pub_date="2026-11-20T08:00:00+00:00",
            season=2,
            episode=7,
            episode_type="bonus",
            explicit=None,
            speakers=("Ana", "Ben"),
        ),
    ),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_stage_records_round_trip_through_the_catalog(tmp_path, record):
    from podkit.catalog import Catalog

    with Catalog(tmp_path) as catalog:
        row = catalog.add_episode(sha256="a" * 64, guid="g", slug="a", source="a.wav", pub_date="2026-01-01")
        catalog.stage_started(row.id, "x", "fp")
        catalog.stage_finished(row.id, "x", seconds=1.0, result=record.to_dict(), warnings=["w"])
    with Catalog(tmp_path) as catalog:
        (back,) = catalog.episodes()
    stored = back.stages["x"]
    assert stored.warnings == ["w"]
    again = type(record).from_dict(stored.result)
    if isinstance(record, NormaliseResult):  # stored to the millisecond
        assert again == dataclasses.replace(record, input_loudness=-23.456, gain_db=7.456)
    else:
        assert again == record


def test_a_record_of_another_shape_is_refused_not_guessed():
    data = RECORDS[1].to_dict()
    data.pop("words")
    with pytest.raises(KeyError):
        TranscribeResult.from_dict(data)
    broken = RECORDS[3].to_dict()
    broken["item"] = "not a table"
    with pytest.raises(TypeError):
        TagResult.from_dict(broken)
