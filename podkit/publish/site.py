"""The listener pages: public/index.html and public/episodes/<slug>/index.html (Jinja2).

Semantic HTML that reads with JavaScript off; a little script makes timestamps seek the
player and the transcript searchable. All text is escaped by Jinja2's autoescape; the notes
and transcript fragments come already escaped from their stages.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..clock import length
from ..config import ShowConfig
from ..fsutil import write_text
from ..records import Person

TEMPLATES = Path(__file__).parent / "templates"


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Page:
    slug: str
    title: str
    pub_date: dt.datetime
    duration: int
    description: str
    notes_html: str = ""
    transcript_html: str = ""
    language: str = ""  # what the episode is spoken in, where it is not the show's language
    byline: str = ""  # "By Mara Quill", in the show's language
    date_label: str = ""  # the date in the show's language
    guests: tuple[Person, ...] = ()

    def context(self) -> dict[str, Any]:
        lead = self.description.split("\n\n")[0]
        return {
            "slug": self.slug,
            "title": self.title,
            "date_iso": self.pub_date.isoformat(),
            "date": self.date_label or self.pub_date.strftime("%-d %B %Y"),
            "byline": self.byline,
            "guests": [{"name": g.name, "role": g.role, "href": g.href, "img": g.img} for g in self.guests],
            "length": length(self.duration),
            # the notes open with the same line: said once
            "description": "" if lead and html.escape(lead) in self.notes_html else lead,
            "summary": lead[:280],
        }


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    write_text(path, text)
    return True


def build_site(public: Path, show: ShowConfig, feed_url: str, cover_name: str, pages: list[Page]) -> list[Path]:
    """Write the pages (newest first on the index); return the files that changed."""
    env = _env()
    ordered = sorted(pages, key=lambda p: (p.pub_date, p.slug), reverse=True)
    changed = []
    index = env.get_template("index.html").render(
        show=show, feed_url=feed_url, cover=cover_name, episodes=[p.context() for p in ordered]
    )
    if _write_if_changed(public / "index.html", index):
        changed.append(public / "index.html")
    template = env.get_template("episode.html")
    for page in ordered:
        html = template.render(
            show=show,
            feed_url=feed_url,
            ep=page.context(),
            lang=page.language,
            notes_html=page.notes_html,
            transcript_html=page.transcript_html,
        )
        path = public / "episodes" / page.slug / "index.html"
        if _write_if_changed(path, html):
            changed.append(path)
    return changed
