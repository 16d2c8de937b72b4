"""The notes stage's files: Podcasting 2.0 chapters JSON, Markdown and HTML show notes.

All text is escaped for its format; every file is written atomically. Times are written
with ``podkit.clock``, so a label reads the same here as in the transcript.
"""

from __future__ import annotations

import html
import itertools
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


def write_notes(notes: Notes, base: Path, skip: tuple[str, ...] = ()) -> list[Path]:
    """``base.chapters.json``, ``base.notes.md`` and ``base.notes.html``, written atomically
    (but not those in ``skip``: a file the host edited)."""
    paths = []
    for suffix, writer in WRITERS.items():
        if suffix in skip:
            continue
        path = base.with_name(f"{base.name}.{suffix}")
        write_text(path, writer(notes))
        paths.append(path)
    return paths


# -- the host's own notes.md ------------------------------------------------------------------

_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t]*$")
_STAMP = re.compile(r"^`?\[?((?:\d+:)?\d{1,2}:\d{2})\]?`?[ \t]*(.*)$")
_LINK = re.compile(r"^[-*+][ \t]+(?:Read more:[ \t]*)?\[(.+)\]\(<?([^<>()\s]+)>?\)[ \t]*$")
_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>|~#+\-=.!()&{}])")


def _plain_md(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text).strip()


def _clock_seconds(label: str) -> float:
    total = 0
    for part in label.split(":"):
        total = total * 60 + int(part)
    return float(total)


def read_markdown(path: Path, made: Notes) -> Notes:
    """The host's edit of ``<slug>.notes.md`` as notes: its synopsis (the text before the
    first section), and per ``## Heading`` section the story's title, start (the ``[MM:SS]``
    it opens with), summary and links. The parts the notes leave out (intro, sponsor reads,
    outro) stay as podkit found them in ``made``, so the chapters still cover the episode.
    A file podkit cannot read as notes is a MediaError naming the line."""
    from ..errors import MediaError
    from ..records import Link
    from .stories import Story

    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise MediaError("is not UTF-8 text; save it as UTF-8", path=path) from None
    synopsis: list[str] = []
    told: list[Story] = []
    extra: list[Link] = []
    current: Story | None = None
    in_links = False
    for n, line in enumerate(lines, 1):
        heading = _HEADING.match(line)
        if heading:
            title = _plain_md(heading.group(1))
            in_links = title.lower() == "links" and bool(told)
            current = None
            if not in_links:
                current = Story(-1.0, 0.0, title, "", "")
                current_line = n
                told.append(current)
            continue
        text = line.strip()
        if not text:
            continue
        link = _LINK.match(text)
        if link and (current is not None or in_links):
            target = current.links if current is not None else extra
            target.append(Link(_plain_md(link.group(1)), link.group(2)))
            continue
        if current is None:
            if in_links:
                raise MediaError(f"line {n}: the Links section takes '- [title](url)' lines only", path=path)
            if text.startswith("#"):
                raise MediaError(f"line {n}: sections are '## Heading' lines", path=path)
            synopsis.append(_plain_md(text))
            continue
        stamp = _STAMP.match(text)
        if current.start < 0:
            if not stamp:
                raise MediaError(
                    f"line {n}: the section '{current.title}' (line {current_line}) must open with its "
                    "time, as in '`[03:15]` What happened ...'",
                    path=path,
                )
            label = stamp.group(1)
            # A label as podkit wrote it keeps the story's exact start; a new one is whole seconds.
            exact = [m.start for m in made.told if clock(m.start) == label.zfill(5)]
            current.start = exact[0] if exact else _clock_seconds(label)
            text = stamp.group(2)
        current.summary = " ".join(p for p in (current.summary, _plain_md(text)) if p)
    if not told:
        raise MediaError(
            f"line {len(lines) or 1}: has no sections ('## Heading' lines, each opening with its "
            "'`[MM:SS]`' time); undo the edit, or delete the file to have it made again",
            path=path,
        )
    for story in told:
        if story.start < 0:
            raise MediaError(f"the section '{story.title}' has no '`[MM:SS]`' time; give it one", path=path)
        match = [m for m in made.told if abs(m.start - story.start) < 1.0]
        story.kind = match[0].kind if match else "story"
    for earlier, later in itertools.pairwise(told):
        if later.start <= earlier.start:
            raise MediaError(
                f"the section '{later.title}' starts at {clock(later.start)}, not after "
                f"'{earlier.title}'; put the sections in time order",
                path=path,
            )
    # The host's sections, and the parts the notes leave out where they fall between them.
    kept = [s for s in made.stories if s.kind not in ("story", "short")]
    parts = sorted([*told, *kept], key=lambda s: s.start)
    mine = {id(t) for t in told}
    parts = [p for p in parts if id(p) in mine or not any(abs(p.start - t.start) < 1.0 for t in told)]
    end = made.stories[-1].end if made.stories else max(t.start for t in told)
    for part, following in zip(parts, [*parts[1:], None], strict=True):
        part.end = following.start if following else max(end, part.start)
    parts[0].start = 0.0  # chapters cover the whole episode
    return Notes(parts, extra, " ".join(synopsis), list(made.warnings))
