"""``podkit run``: ingest, then each episode through the stages in this process, then publish.

The runner owns the order, the catalog writes, the lock, and failure isolation: a stage that
fails (with any exception: a PodkitError or a bug) marks that episode failed with its reason,
and the other episodes go on. A stage is skipped when its record says done with the same
fingerprint (``stages``), so a run after a crash redoes only what was cut. A ConfigError in
a stage is about the show's settings (a model that is not here, a GPU that is not there), not
about the episode: the run stops there, publishes what is done, and exits 2.

With ``cluster`` (``podkit run --cluster``) the heavy stages go to a Ray cluster instead
(``runner.cluster``); ingest, the lock, the catalog, every file write and publish stay here.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalog import Catalog, EpisodeRow, ShowLock
from ..config import ShowConfig, load_show
from ..errors import ConfigError
from ..fsutil import remove_stale_temps
from ..ingest import Episode, ingest
from ..records import NormaliseResult, NotesResult, TagResult, TranscriptResult
from .cluster import ClusterOptions, ClusterSummary, joined, run_on_cluster
from .jobs import Outcome as Outcome  # podkit.runner.Outcome: re-exported from here
from .jobs import describe, run_here
from .reporter import Reporter
from .stages import EDITABLE, STAGE_NAMES, STAGES, Context, edited_files, needs_run, stage_result

if TYPE_CHECKING:
    from ..publish import PublishedEpisode

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    feed: Path | None = None  # public/feed.xml once published
    feed_items: int = 0
    stopped: str | None = None  # why the run stopped before every episode was done
    cluster: ClusterSummary | None = None  # the work done on a Ray cluster, when it ran on one

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def exit_code(self) -> int:
        return max((o.exit_code for o in self.failures), default=0)


def process(show: ShowConfig, catalog: Catalog, episode: Episode, reporter: Reporter) -> Outcome:
    """Run the stages one episode still needs; stop at its first failure."""
    outcome = Outcome(source=episode.source, slug=episode.slug)
    ctx = Context(show, episode, reporter)
    announced = False
    for stage in STAGES:
        fp = stage.fingerprint(ctx)
        if not needs_run(stage, ctx, fp):
            continue
        if not announced:
            reporter.episode(episode, list(STAGE_NAMES))
            announced = True
        if not run_here(catalog, ctx, outcome, stage, fp):
            break
    for warning in dict.fromkeys(ctx.warnings):
        reporter.warn(warning)
    return outcome


def published_episodes(rows: list[EpisodeRow], unreadable: list[str] | None = None) -> list[PublishedEpisode]:
    """What the feed and the pages show of each episode whose tagged MP3 is published.

    An episode whose tag stage is done but whose records this podkit cannot read (made by
    another version, its recording since removed, so nothing ran it again) is left out and
    named in ``unreadable``: never silently."""
    from ..publish import PublishedEpisode
    from ..publish.feed import Chapter, soundbites_for

    out = []
    for row in rows:
        tagged = stage_result(row, "tag", TagResult)
        normalised = stage_result(row, "normalise", NormaliseResult)
        if tagged is None or normalised is None:
            rec = row.stages.get("tag")
            if rec is not None and rec.status == "done" and unreadable is not None:
                unreadable.append(row.slug)
            continue
        item = tagged.item
        notes = stage_result(row, "notes", NotesResult)
        transcript = stage_result(row, "transcript", TranscriptResult)
        out.append(
            PublishedEpisode(
                slug=row.slug,
                guid=row.guid,
                title=item.title,
                pub_date=dt.datetime.fromisoformat(item.pub_date),
                description=item.description,
                duration=normalised.duration,
                season=item.season,
                episode=item.episode,
                episode_type=item.episode_type,
                explicit=item.explicit,
                speakers=item.speakers,
                soundbites=soundbites_for(notes.stories) if notes else (),
                transcripts_current=transcript is not None,
                language=transcript.language if transcript else "",
                # psc:chapters and the chapter checks: every part the notes found, in order
                chapters=tuple(Chapter(st.start, st.title, st.links[0] if st.links else None) for st in notes.stories)
                if notes
                else (),
                season_name=item.season_name,
                episode_display=item.episode_display,
                guests=item.guests,
                byline=item.byline,
                date_label=item.date_label,
            )
        )
    return out


def _redo(show: ShowConfig, catalog: Catalog, episodes: list[Episode], stage: str, slug: str, force: bool) -> str:
    """Make the next pass do ``stage`` again for ``slug``. A file the host edited that the
    stage would replace needs ``force``; it is then kept as a backup. Returns what was done."""
    if stage not in STAGE_NAMES:
        raise ConfigError(f"--redo: there is no stage {stage!r}; the stages are {', '.join(STAGE_NAMES)}")
    episode = next((e for e in episodes if e.slug == slug), None)
    if episode is None:
        known = ", ".join(sorted(e.slug for e in episodes)) or "none"
        raise ConfigError(
            f"--redo: no episode {slug!r} with its recording in audio/ (episodes: {known}); 'podkit status' lists them"
        )
    at_risk = [
        p for p in edited_files(show.state_dir, show.transcripts_dir, slug) if p.name.endswith(EDITABLE.get(stage, ()))
    ]
    kept = []
    if at_risk and not force:
        names = " and ".join(str(p.relative_to(show.root)) for p in at_risk)
        raise ConfigError(
            f"--redo {stage} {slug} would replace {names}, which was edited by hand; add --force to "
            "redo it anyway (the edited file is kept as a .bak beside it)"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for path in at_risk:
        backup = path.with_name(f"{path.name}.{stamp}.bak")
        path.replace(backup)
        kept.append(str(backup.relative_to(show.root)))
    catalog.forget_stage(episode.row.id, stage)
    refreshed = catalog.episode(id=episode.row.id)
    assert refreshed is not None
    episode.row = refreshed
    return f"{slug}: doing {stage} again" + (f"; the edited file is kept as {', '.join(kept)}" if kept else "")


def run_show(
    root: str | Path,
    *,
    reporter: Reporter | None = None,
    wait: float = 0.0,
    settle: float = 0.0,
    redo: tuple[str, str] | None = None,
    force: bool = False,
    cluster: ClusterOptions | None = None,
) -> RunReport:
    """``podkit run``: bring every recording in the show up to date. ``redo`` (stage, slug)
    does that stage again for that episode, whatever its record says. ``cluster``: the heavy
    stages run on that Ray cluster; this process still writes everything (``cluster``)."""
    reporter = reporter or Reporter()
    show = load_show(root)
    report = RunReport()
    with ShowLock(show.state_dir) as lock:
        lock.acquire(wait)
        # Only this process may write now: whatever temp files exist were left by a killed run.
        for stale in remove_stale_temps(show.public_dir, show.transcripts_dir, show.state_dir):
            log.info("removed %s, left by an interrupted run", stale)
        with joined(cluster) as cluster_run, Catalog(show.state_dir) as catalog:
            found = ingest(show, catalog, settle=settle)
            catalog.set_problems(found.problems)
            report.notes.extend(found.notes)
            for source, message in found.problems.items():
                report.outcomes.append(Outcome(source=source, slug=None, error=message, exit_code=1))
            if redo:
                report.notes.append(_redo(show, catalog, found.episodes, *redo, force))
            if cluster_run is None:
                _process_all(show, catalog, found.episodes, reporter, report)
            else:
                run_on_cluster(show, catalog, found.episodes, reporter, cluster_run, report)
            _publish(show, catalog, report)
    report.outcomes.sort(key=lambda o: o.source)
    return report


def _process_all(
    show: ShowConfig, catalog: Catalog, episodes: list[Episode], reporter: Reporter, report: RunReport
) -> None:
    """Each episode in turn, in this process; a ConfigError (the show's settings) stops there."""
    for episode in episodes:
        outcome = process(show, catalog, episode, reporter)
        report.outcomes.append(outcome)
        if outcome.exit_code == ConfigError.exit_code:
            report.stopped = (
                f"stopped after {episode.source}: the show's settings need fixing "
                "first; the other recordings wait for the next run"
            )
            break


def _publish(show: ShowConfig, catalog: Catalog, report: RunReport) -> None:
    """The feed and pages from every published episode; a failed one is simply not in it."""
    from ..publish import podcast_guid, publish

    try:
        # podcast:guid is assigned once, from the first feed URL, and kept after a move.
        guid = show.podcast_guid or catalog.show_value("podcast_guid", podcast_guid(show.resolved_feed_url))
        unreadable: list[str] = []
        result = publish(show, published_episodes(catalog.episodes(), unreadable), guid=guid)
        for slug in unreadable:
            report.notes.append(
                f"{slug}: its catalog records were made by another podkit and cannot be read; it stays out "
                "of the feed until its recording is in audio/ and podkit runs it again"
            )
        report.feed, report.feed_items = result.feed, result.items
    except Exception as exc:
        log.debug("publish failed", exc_info=True)
        report.outcomes.append(
            Outcome(source="feed.xml", slug=None, error=f"publish failed: {describe(exc)}", exit_code=1)
        )
        return
    # The host's upload and the WebSub hub: never undo the local publish; a failure is
    # reported (exit 1) and tried again on the next run.
    from ..publish.hooks import after_publish

    try:
        hooks = after_publish(show, result.feed, guid)
    except Exception as exc:
        log.debug("after publish failed", exc_info=True)
        report.outcomes.append(Outcome(source="after_publish", slug=None, error=describe(exc), exit_code=1))
        return
    report.notes.extend(hooks.notes)
    for problem in hooks.errors:
        report.outcomes.append(Outcome(source="after_publish", slug=None, error=problem, exit_code=1))
