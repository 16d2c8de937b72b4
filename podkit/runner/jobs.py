"""One stage of one episode: run here and recorded (``run_here``: both runners), or as a job
a cluster worker runs (``run_stage_job``): what the driver sends, what comes back, and how
the worker runs it without writing to the show.

The worker runs the stage's own function (``stages.STAGES``), unchanged, on a *shadow* of
the show: a private temporary folder laid out like the show folder, whose ``root`` is the
shadow, holding links to the files the stage reads (they stay on the shared storage) and
nothing else. Whatever the stage writes lands in the shadow and comes back as bytes, at the
path it would have had in the show; the driver writes it there, atomically, then the
catalog row. The recordings themselves are read where they are (their paths are absolute).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import ShowConfig
from ..errors import ConfigError, PodkitError
from ..fsutil import TEMP_MARK
from ..ingest import Episode
from .reporter import Reporter
from .stages import Context, Stage

if TYPE_CHECKING:
    from ..catalog import Catalog

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a run did for one recording (or a file that is not one): the stages it ran, or why it failed."""

    source: str
    slug: str | None
    error: str | None = None
    ran: list[str] = field(default_factory=list)
    exit_code: int = 0  # of the error: 1 for the episode's own problem, 2 for the show's settings

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class StageJob:
    stage: str
    show: ShowConfig  # the real show: the worker runs on a shadow of it
    episode: Episode  # with its catalog row as the driver has it now
    reads: tuple[str, ...] = ()  # paths (relative to the show) the stage reads: linked into the shadow
    threads: int | None = None  # the engine's threads on the worker (its CPUs): same words, no oversubscription


@dataclass
class StageOutput:
    result: dict[str, Any] | None = None  # the stage's record (``to_dict``); None when it failed
    files: dict[str, bytes] = field(default_factory=dict)  # what it wrote, by path relative to the show
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0  # the stage's own time on the worker
    error: str | None = None  # one line, as the local runner words it
    config_error: bool = False  # the show's settings, not the episode: the run stops (exit 2)


def describe(exc: BaseException) -> str:
    """A failure in one line, as ``podkit run`` reports it (a bug too: its class and message)."""
    if isinstance(exc, PodkitError):
        return str(exc)
    return f"internal error: {exc.__class__.__name__}: {exc} (run again with --debug for the traceback)"


def _written(shadow: Path) -> dict[str, bytes]:
    """The regular files in the shadow (links to the show's files are inputs, not outputs)."""
    out: dict[str, bytes] = {}
    for dirpath, _dirs, names in os.walk(shadow):
        for name in names:
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file() or name.endswith(TEMP_MARK):
                continue
            out[str(path.relative_to(shadow))] = path.read_bytes()
    return out


def run_stage_job(job: StageJob) -> StageOutput:
    """Run ``job`` here (on a worker): never raises; a failure comes back as ``error``."""
    from .stages import STAGES

    stage = next(s for s in STAGES if s.name == job.stage)
    root = job.show.root
    with tempfile.TemporaryDirectory(prefix="podkit-job-") as tmp:
        shadow = Path(tmp)
        for rel in job.reads:
            source = root / rel
            if source.exists():
                (shadow / rel).parent.mkdir(parents=True, exist_ok=True)
                (shadow / rel).symlink_to(source)
        transcribe = job.show.transcribe
        if job.threads is not None:
            transcribe = dataclasses.replace(transcribe, threads=job.threads)
        show = dataclasses.replace(job.show, root=shadow, transcribe=transcribe)
        ctx = Context(show, job.episode, Reporter())
        started = time.monotonic()
        try:
            result = stage.run(ctx)
        except Exception as exc:
            log.debug("%s failed in %s", job.episode.source, job.stage, exc_info=True)
            return StageOutput(
                error=describe(exc).replace(str(shadow), str(root)),
                config_error=isinstance(exc, ConfigError),
                seconds=time.monotonic() - started,
            )
        seconds = time.monotonic() - started
        return StageOutput(
            result=result.to_dict(), files=_written(shadow), warnings=list(ctx.warnings), seconds=seconds
        )


# -- recording what a stage did (the driver: in both runners) ---------------------------------


def stage_failed(
    catalog: Catalog, ctx: Context, outcome: Outcome, stage: str, seconds: float, error: str, exit_code: int
) -> None:
    """Record ``stage`` failed for the episode: the catalog, the outcome, the reporter."""
    outcome.error = error
    outcome.exit_code = exit_code
    catalog.stage_finished(ctx.episode.row.id, stage, seconds=seconds, error=error)
    ctx.reporter.stage_done(ctx.episode, stage, seconds, error)


def stage_done(
    catalog: Catalog, ctx: Context, outcome: Outcome, stage: str, seconds: float, result: dict[str, Any]
) -> None:
    """Record ``stage`` done for the episode (its files are written), and read its row again."""
    catalog.stage_finished(
        ctx.episode.row.id,
        stage,
        seconds=seconds,
        result=result,
        warnings=list(dict.fromkeys(ctx.warnings)),
    )
    refreshed = catalog.episode(id=ctx.episode.row.id)
    assert refreshed is not None
    ctx.episode.row = refreshed
    outcome.ran.append(stage)
    ctx.reporter.stage_done(ctx.episode, stage, seconds, None)


def run_here(catalog: Catalog, ctx: Context, outcome: Outcome, stage: Stage, fp: str) -> bool:
    """Run ``stage`` for the episode in this process and record it; False when it failed."""
    ctx.reporter.stage(ctx.episode, stage.name)
    catalog.stage_started(ctx.episode.row.id, stage.name, fp)
    started = time.monotonic()
    try:
        result = stage.run(ctx)
    except Exception as exc:
        log.debug("%s failed in %s", ctx.episode.source, stage.name, exc_info=True)
        code = exc.exit_code if isinstance(exc, ConfigError) else 1
        stage_failed(catalog, ctx, outcome, stage.name, time.monotonic() - started, describe(exc), code)
        return False
    stage_done(catalog, ctx, outcome, stage.name, time.monotonic() - started, result.to_dict())
    return True
