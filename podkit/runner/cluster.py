"""``podkit run DIR --cluster ADDRESS``: the heavy stages on a Ray cluster, this process the
only writer of the show.

The driver (this process) ingests, holds the lock and the catalog, and walks each episode
through the stages as the local runner does, with one difference: a heavy stage (normalise,
transcribe, notes) is a job (``jobs.StageJob``) sent to a ``Transcriber`` actor of the
cluster (``podkit.cluster.pool``: one per worker slot, each loading its Whisper model once),
which runs the stage's own function on a shadow of the show folder and gives back what it
wrote as bytes. The driver writes those files into the show, atomically, and only then the
stage's catalog row; the light stages (transcript, tag) and publish run here. So:

- the catalog is the checkpoint: a killed driver leaves a stage "running" at worst, and the
  same command run again does it again (its half-written files are temp files it removes);
- a job whose worker is lost (its node removed, its process killed) is sent again to a live
  worker at once, and Ray starts a replacement worker where the cluster has room; the
  episode is done once, by whichever worker finishes it;
- jobs go out longest recording first, so the longest one does not start last and hold the
  whole run up; each episode's next stage goes out as soon as its last one is written.

Ray is imported only when a run asks for a cluster (``podkit.cluster.connect``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import itertools
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..fsutil import write_bytes
from ..records import NormaliseResult
from .jobs import Outcome, StageJob, StageOutput, describe, run_here, run_stage_job, stage_done, stage_failed
from .reporter import Reporter
from .stages import STAGES, Context, Stage, needs_run, stage_result

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..cluster.connect import Connection
    from ..cluster.pool import ActorSpec
    from ..config import ShowConfig
    from ..ingest import Episode
    from .local import RunReport

log = logging.getLogger(__name__)

# The stages a worker runs; the others (transcript, tag) are light and run in the driver.
HEAVY = ("normalise", "transcribe", "notes")


@dataclass(frozen=True)
class ClusterOptions:
    """How ``podkit run`` uses a cluster (``--cluster ADDRESS``)."""

    address: str  # HOST:PORT of the head (its GCS port), ray://HOST:PORT, or "auto"
    timeout: float = 10.0  # seconds for the head to answer before the run gives up
    workers: int | None = None  # Transcriber actors; None: as many as the cluster's resources hold
    cpus: float = 1.0  # each worker's CPUs (and its engine's threads)
    resources: tuple[tuple[str, float], ...] = ()  # custom resources each worker asks for too
    stall: float = 600.0  # seconds with no live worker while jobs wait before the run stops
    verbose: bool = False  # Ray's own log lines on stderr


@dataclass
class ClusterSummary:
    """What a cluster run did: printed after the run, and what ``bench/cluster.py`` measures."""

    address: str
    workers: int = 0  # Transcriber actors asked for
    nodes: int = 0  # nodes that ran at least one job
    episodes: int = 0  # episodes taken through their stages now (done or failed)
    audio_seconds: float = 0.0  # their audio
    wall_seconds: float = 0.0  # from starting the workers to the last result written
    jobs: int = 0  # jobs that came back done or failed
    resent: int = 0  # jobs sent again because their worker was lost
    by_node: dict[str, int] = field(default_factory=dict)  # node id -> jobs it ran

    @property
    def audio_hours_per_hour(self) -> float:
        """Audio-hours processed per hour of wall time (the cluster's throughput)."""
        return self.audio_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclass
class ClusterRun:
    """A joined cluster, for the length of one ``podkit run``."""

    options: ClusterOptions
    connection: Connection


@contextlib.contextmanager
def joined(options: ClusterOptions | None) -> Iterator[ClusterRun | None]:
    """Join the cluster ``options`` names (None: no cluster, nothing imported) for a block;
    a ConfigError (one line, exit 2) when Ray is not installed or no cluster answers."""
    if options is None:
        yield None
        return
    from ..cluster.connect import connect

    connection = connect(options.address, timeout=options.timeout, verbose=options.verbose)
    try:
        yield ClusterRun(options, connection)
    finally:
        connection.close()


def actor_spec(show: ShowConfig, options: ClusterOptions) -> ActorSpec:
    """What each worker asks Ray for: its CPUs, one GPU when the show transcribes on CUDA,
    the options' custom resources; and the model it loads when it starts."""
    from ..cluster.pool import ActorSpec

    t = show.transcribe
    return ActorSpec(
        cpus=options.cpus,
        gpus=1.0 if t.device == "cuda" else 0.0,
        resources=options.resources,
        engine=t.engine,
        model=t.model,
        device=t.device,
        threads=t.threads or max(1, int(options.cpus)),
    )


def reads(stage: str, ctx: Context) -> tuple[str, ...]:
    """The show's files (relative to it) a heavy stage reads besides the recording itself."""
    from .stages import _studio_options, _studio_record

    if stage == "transcribe":
        paths = [ctx.work_mp3]
    elif stage == "notes":
        # the studio's record: where an intro and outro lie, chapters of their own
        paths = [ctx.file("json"), ctx.file("notes.md"), ctx.written_path, _studio_record(ctx)]
    else:
        # the studio's intro, outro and music bed: files in the show folder
        studio = _studio_options(ctx)
        paths = [ctx.show.root / name for name in (studio.intro, studio.outro, studio.music_bed) if name]
    return tuple(ctx.relative(p) for p in paths)


def audio_seconds(episode: Episode) -> float:
    """The recording's length: its published length once normalised, else what ffprobe
    says (0 when it cannot tell: the normalise stage then says why)."""
    from ..ffmpeg import probe

    done = stage_result(episode.row, "normalise", NormaliseResult)
    if done is not None:
        return done.duration
    lengths = []
    for path in episode.tracks or (episode.recording,):
        try:
            lengths.append(probe(path).duration or 0.0)
        except Exception:  # noqa: BLE001 - an unreadable recording fails in its normalise stage
            lengths.append(0.0)
    return max(lengths, default=0.0)


def write_outputs(root: Path, files: dict[str, bytes]) -> list[Path]:
    """Write what a worker gave back into the show, each file atomically; a path that would
    leave the show folder is refused (a ValueError)."""
    written = []
    for rel in sorted(files):
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
            raise ValueError(f"a worker gave back a file outside the show: {rel!r}")
        target = root.joinpath(*parts)
        write_bytes(target, files[rel])
        written.append(target)
    return written


@dataclass
class _Track:
    """One episode's way through the stages in a cluster run."""

    ctx: Context
    outcome: Outcome
    seconds: float  # its audio: jobs go out longest first, and the bar counts it
    finished: bool = False


@dataclass(order=True)
class _Queued:
    priority: tuple[float, int]  # (-seconds, order found): the longest recording first
    track: _Track = field(compare=False)
    stage: Stage = field(compare=False)
    fp: str = field(compare=False)


class _Driver:
    """The loop: send each episode's next heavy stage, write what comes back, go on."""

    def __init__(
        self,
        show: ShowConfig,
        catalog: Catalog,
        reporter: Reporter,
        run: ClusterRun,
        report: RunReport,
    ) -> None:
        self.show, self.catalog, self.reporter, self.run, self.report = show, catalog, reporter, run, report
        # Workers read the show where it lies on the shared storage: absolute paths only.
        self.remote_show = dataclasses.replace(show, root=show.root.resolve())
        self.spec = actor_spec(show, run.options)
        self.queue: list[_Queued] = []
        self.order = itertools.count()
        self.stop = False
        self.summary = ClusterSummary(address=run.options.address)
        self.todo: list[_Track] = []

    # -- an episode's next step ----------------------------------------------------------------

    def advance(self, track: _Track) -> None:
        """Run the episode's light stages here until its next heavy one, which is queued;
        an episode with nothing left (or a failed stage) is finished."""
        ctx = track.ctx
        for stage in STAGES:
            fp = stage.fingerprint(ctx)
            if not needs_run(stage, ctx, fp):
                continue
            if stage.name in HEAVY:
                if self.stop:
                    return  # the show's settings need fixing: it waits for the next run
                heapq.heappush(self.queue, _Queued((-track.seconds, next(self.order)), track, stage, fp))
                return
            if not run_here(self.catalog, ctx, track.outcome, stage, fp):
                self.config_stop(track)
                break
        self.finish(track)

    def finish(self, track: _Track) -> None:
        track.finished = True
        self.summary.episodes += 1
        self.summary.audio_seconds += track.seconds
        for warning in dict.fromkeys(track.ctx.warnings):
            self.reporter.warn(f"{track.ctx.episode.slug}: {warning}")
        self.progress()

    def config_stop(self, track: _Track) -> None:
        """A stage failed on the show's settings (exit 2): no new episode is started."""
        if track.outcome.exit_code == ConfigError.exit_code and not self.stop:
            self.stop = True
            self.report.stopped = (
                f"stopped after {track.ctx.episode.source}: the show's settings need fixing "
                "first; the other recordings wait for the next run"
            )

    def progress(self) -> None:
        total = sum(t.seconds for t in self.todo)
        done = sum(t.seconds for t in self.todo if t.finished)
        finished = sum(t.finished for t in self.todo)
        self.reporter.cluster(done, total, finished, len(self.todo), self.summary.workers)

    # -- what a worker gave back ---------------------------------------------------------------

    def came_back(self, queued: _Queued, output: StageOutput, node: str) -> None:
        track, stage = queued.track, queued.stage
        ctx = track.ctx
        self.summary.jobs += 1
        self.summary.by_node[node] = self.summary.by_node.get(node, 0) + 1
        if output.error is None and output.result is not None:
            try:
                write_outputs(self.show.root, output.files)
            except (OSError, ValueError) as exc:
                output = dataclasses.replace(output, error=f"could not write its files: {describe(exc)}")
        if output.error is not None or output.result is None:
            code = ConfigError.exit_code if output.config_error else 1
            error = output.error or "internal error: the worker gave back no result"
            stage_failed(self.catalog, ctx, track.outcome, stage.name, output.seconds, error, code)
            self.config_stop(track)
            self.finish(track)
            return
        ctx.warnings.extend(output.warnings)
        stage_done(self.catalog, ctx, track.outcome, stage.name, output.seconds, output.result)
        self.advance(track)

    def job(self, queued: _Queued) -> StageJob:
        episode = queued.track.ctx.episode
        # The worker sees the recording by its absolute path (the show is on shared storage).
        remote_episode = dataclasses.replace(
            episode,
            recording=episode.recording.resolve(),
            tracks=tuple(p.resolve() for p in episode.tracks),
        )
        return StageJob(
            stage=queued.stage.name,
            show=self.remote_show,
            episode=remote_episode,
            reads=reads(queued.stage.name, queued.track.ctx),
            threads=self.spec.threads,
        )

    # -- the loop ------------------------------------------------------------------------------

    def drive(self, episodes: list[Episode]) -> ClusterSummary:
        from ..cluster.pool import Pool

        tracks = []
        for episode in episodes:
            # Per-stage lines from several episodes at once would interleave: the one bar
            # (``Reporter.cluster``) tells the progress, the summary each episode's end.
            ctx = Context(self.show, episode, Reporter())
            tracks.append(_Track(ctx, Outcome(source=episode.source, slug=episode.slug), seconds=0.0))
        self.todo = [t for t in tracks if any(needs_run(s, t.ctx, s.fingerprint(t.ctx)) for s in STAGES)]
        for track in self.todo:
            track.seconds = audio_seconds(track.ctx.episode)
        up_to_date = [t for t in tracks if t not in self.todo]
        if not self.todo:
            self.report.outcomes.extend(t.outcome for t in tracks)
            return self.summary
        size = self.run.options.workers or self.spec.capacity(self.run.connection.resources())
        if size < 1:
            raise ConfigError(
                f"--cluster {self.run.options.address}: no node has room for a podkit worker "
                f"({self.describe_spec()}); add such a node with 'ray start --address ...'"
            )
        self.summary.workers = size
        pool: Pool[int] = Pool(self.spec, size)
        inflight: dict[int, _Queued] = {}
        tags = itertools.count()
        started = time.monotonic()
        no_worker_since: float | None = None
        try:
            for track in sorted(self.todo, key=lambda t: -t.seconds):
                self.advance(track)
            self.progress()
            while self.queue or inflight:
                if self.stop:
                    self.queue.clear()  # the show's settings need fixing: what waits, waits for the next run
                while self.queue and pool.idle:
                    queued = heapq.heappop(self.queue)
                    tag = next(tags)
                    inflight[tag] = queued
                    self.catalog.stage_started(queued.track.ctx.episode.row.id, queued.stage.name, queued.fp)
                    pool.submit(tag, run_stage_job, self.job(queued))
                for done in pool.wait(timeout=1.0):
                    queued = inflight.pop(done.tag)
                    if done.lost is not None:
                        # Its worker is gone: sent again, to the next live worker, first.
                        self.summary.resent += 1
                        log.warning(
                            "%s %s: its worker was lost (%s); sent again",
                            queued.track.ctx.episode.slug,
                            queued.stage.name,
                            done.lost,
                        )
                        heapq.heappush(
                            self.queue, dataclasses.replace(queued, priority=(float("-inf"), next(self.order)))
                        )
                        continue
                    output = done.value if done.error is None else StageOutput(error=f"internal error: {done.error}")
                    self.came_back(queued, output, done.node)
                if pool.idle or pool.busy:
                    no_worker_since = None
                elif no_worker_since is None:
                    no_worker_since = time.monotonic()
                elif self.queue and time.monotonic() - no_worker_since > self.run.options.stall:
                    self.report.stopped = (
                        f"stopped: no podkit worker has been running on the cluster for "
                        f"{self.run.options.stall:g} s ({self.describe_spec()} each); the "
                        f"{len({q.track.ctx.episode.slug for q in self.queue})} episode(s) left wait for the next run"
                    )
                    break
        finally:
            pool.close()
        self.summary.wall_seconds = time.monotonic() - started
        self.summary.nodes = len(self.summary.by_node)
        self.report.outcomes.extend(t.outcome for t in [*up_to_date, *(t for t in self.todo if t.finished)])
        return self.summary

    def describe_spec(self) -> str:
        spec = self.spec
        wants = [f"{spec.cpus:g} CPU"] + ([f"{spec.gpus:g} GPU"] if spec.gpus else [])
        wants += [f"{amount:g} {name}" for name, amount in spec.resources]
        return "asking for " + ", ".join(wants)


def run_on_cluster(
    show: ShowConfig,
    catalog: Catalog,
    episodes: list[Episode],
    reporter: Reporter,
    run: ClusterRun,
    report: RunReport,
) -> None:
    """Every episode's stages, the heavy ones on the cluster's workers; this process writes
    every file and every catalog row. Fills ``report`` (its outcomes and ``cluster``)."""
    report.cluster = _Driver(show, catalog, reporter, run, report).drive(episodes)
    log.info("cluster run: jobs by node %s", report.cluster.by_node)
