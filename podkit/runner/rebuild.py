"""``podkit rebuild``: a new catalog from the recordings, sidecars and the published feed."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from pathlib import Path

from ..catalog import CATALOG_NAME, Catalog, ShowLock
from ..config import load_show
from ..ingest import ingest


@dataclass(frozen=True)
class RebuildReport:
    moved_aside: Path | None
    episodes: int
    recovered: int  # GUIDs (and dates) taken from the published feed
    problems: dict[str, str]


def published_identities(feed: Path) -> dict[str, tuple[str, str]]:
    """slug -> (guid, pub date ISO) for every item of a published feed (empty when there is
    no readable feed). The slug is the enclosure's file name, as podkit publishes it."""
    from lxml import etree

    out: dict[str, tuple[str, str]] = {}
    if not feed.is_file():
        return out
    try:
        root = etree.parse(str(feed), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError:
        return out
    for item in root.iterfind("channel/item"):
        enc, guid = item.find("enclosure"), (item.findtext("guid") or "").strip()
        if enc is None or not guid:
            continue
        name = enc.get("url", "").rsplit("/", 1)[-1]
        if not name.endswith(".mp3"):
            continue
        try:
            pub = email.utils.parsedate_to_datetime(item.findtext("pubDate") or "").isoformat()
        except (TypeError, ValueError):
            pub = ""
        out[name[: -len(".mp3")]] = (guid, pub)
    return out


def rebuild_show(root: str | Path, *, wait: float = 0.0) -> RebuildReport:
    """The old catalog (damaged or lost) is moved aside, never deleted. Every recording is
    ingested again; an episode whose slug the published feed knows gets back its GUID and
    publication date, so directories never see it as new. Stages start over on the next run.
    """
    show = load_show(root)
    with ShowLock(show.state_dir) as lock:
        lock.acquire(wait)
        old = show.state_dir / CATALOG_NAME
        moved = None
        if old.exists():
            moved = old.with_name(f"{CATALOG_NAME}.old-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                part = old.with_name(old.name + suffix)
                if part.exists():
                    part.rename(moved.with_name(moved.name + suffix))
        with Catalog(show.state_dir) as catalog:
            found = ingest(show, catalog)
            catalog.set_problems(found.problems)
            identities = published_identities(show.public_dir / "feed.xml")
            recovered = 0
            for ep in found.episodes:
                if ep.slug in identities:
                    guid, pub = identities[ep.slug]
                    values = {"guid": guid}
                    if pub and not ep.sidecar.pub_date:
                        values["pub_date"] = pub
                    catalog.update_episode(ep.row.id, **values)
                    recovered += 1
            return RebuildReport(moved, len(found.episodes), recovered, found.problems)
