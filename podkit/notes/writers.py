"""The notes stage's files: Podcasting 2.0 chapters JSON, Markdown and HTML show notes.

All text is escaped for its format; every file is written atomically. Times are written
with ``podkit.clock``, so a label reads the same here as in the transcript.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from ..clock import clock, iso_duration
from ..fsutil import write_text
from .stories import Notes


def chapter_list(notes: Notes) -> str:
    """ "00:00 Title" lines (the first at 00:00), the form Apple Podcasts turns into chapters:
    every part, the intro, sponsor reads and outro too."""
    return "\n".join(f"{clock(s.start)} {s.title}" for s in notes.stories)


def to_chapters_json(notes: Notes) -> str:
    chapters = []
    for s in notes.stories:
        item: dict[str, Any] = {"startTime": round(s.start, 2), "endTime": round(s.end, 2), "title": s.title}
        if s.links:
            item["url"] = s.links[0].url
        chapters.append(item)
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"


# What Markdown would read as markup inside running text (and raw HTML, entities).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])|&(?=#|\w+;)")
# What it would read as markup at the start of a line or block.
_MD_LEAD = re.compile(r"^([ \t]*)([#+\-=>]|\d+(?=[.)]))", re.M)


def _escape_lead(mark: str) -> str:
    return mark + "\\" if mark[0].isdigit() else "\\" + mark  # "2026\." / "\#"


def md(text: str) -> str:
    """Plain text escaped for Markdown: only what Markdown would read as markup ("4,000
    runners." stays as it is; "*great*" and "<b>" do not become emphasis and HTML)."""
    text = _MD_INLINE.sub(lambda m: "\\" + (m.group(1) or "&"), text)
    text = _MD_LEAD.sub(lambda m: m.group(1) + _escape_lead(m.group(2)), text)
    return re.sub(r"(#+)[ \t]*$", lambda m: "\\" + m.group(1), text, flags=re.M)  # a closing ATX heading sequence


def to_markdown(notes: Notes) -> str:
    """The synopsis, then a section per story and short item (the intro, sponsor reads and
    outro are chapters only)."""
    out = [md(notes.synopsis), ""] if notes.synopsis else []
    for s in notes.told:
        out += [f"## {md(s.title)}", "", f"`[{clock(s.start)}]` {md(s.summary)}", ""]
        for link in s.links:
            out.append(f"- Read more: [{md(link.title)}](<{link.url}>)")
        if s.links:
            out.append("")
    if notes.links:
        out += ["## Links", ""] + [f"- [{md(link.title)}](<{link.url}>)" for link in notes.links] + [""]
    return "\n".join(out)


def to_html(notes: Notes) -> str:
    e = html.escape
    out = ['<section class="show-notes">']
    if notes.synopsis:
        out.append(f'<p class="synopsis">{e(notes.synopsis)}</p>')
    for i, s in enumerate(notes.told, 1):
        kind = " short" if s.kind == "short" else ""
        out.append(f'<article class="story{kind}" id="story-{i}" data-start="{s.start:.2f}">')
        out.append(f"<h3>{e(s.title)}</h3>")
        out.append(
            f'<p><a class="timestamp" href="#t={int(s.start)}" data-start="{s.start:.2f}">'
            f'<time datetime="{iso_duration(s.start)}">{clock(s.start)}</time></a> {e(s.summary)}</p>'
        )
        if s.links:
            out.append(
                '<ul class="links">'
                + "".join(f'<li>Read more: <a href="{e(link.url)}">{e(link.title)}</a></li>' for link in s.links)
                + "</ul>"
            )
        out.append("</article>")
    if notes.links:
        out.append(
            '<section class="links"><h3>Links</h3><ul>'
            + "".join(f'<li><a href="{e(link.url)}">{e(link.title)}</a></li>' for link in notes.links)
            + "</ul></section>"
        )
    out.append("</section>")
    return "\n".join(out) + "\n"


WRITERS = {"chapters.json": to_chapters_json, "notes.md": to_markdown, "notes.html": to_html}


def write_notes(notes: Notes, base: Path) -> list[Path]:
    """``base.chapters.json``, ``base.notes.md`` and ``base.notes.html``, written atomically."""
    paths = []
    for suffix, writer in WRITERS.items():
        path = base.with_name(f"{base.name}.{suffix}")
        write_text(path, writer(notes))
        paths.append(path)
    return paths
