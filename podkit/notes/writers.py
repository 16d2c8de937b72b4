"""The notes stage's files: Podcasting 2.0 chapters JSON, Markdown and HTML show notes.

The page a producer publishes, in order: the byline and date (Markdown only: the episode
page has its own), the opening line, the show's ``before`` text, a section per story and
short item (its heading, its time, its paragraphs, its links labelled with their language),
the links that fit no story, and the show's ``after`` text.

All text is escaped for its format; the show's own Markdown is rendered with raw HTML
written as text and only http(s), mailto and same-site links; every file is written
atomically. Times are written with ``podkit.clock``, so a label reads the same here as in
the transcript.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clock import clock, iso_duration
from ..fsutil import write_text
from ..records import Link
from .language import byline, date_label, join_names, language_code, language_name
from .options import safe_link
from .stories import Notes, Story

if TYPE_CHECKING:
    import datetime as dt

    from markdown_it import MarkdownIt

DEFAULT_LABEL = "Read more"


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


def link_label(link: Link, language: str = "en") -> str:
    """ "Read more (English)": the link's label (default "Read more") and, where the sidecar
    says what the page is written in, that language's name in the show's language."""
    label = link.label.strip() or DEFAULT_LABEL
    return f"{label} ({language_name(link.language, language)})" if link.language else label


def _pointer(story: Story) -> bool:
    """A short item with one link reads as a pointer: "The guide. Read it here (English)"."""
    return story.kind == "short" and len(story.links) == 1


def paragraphs(summary: str) -> list[str]:
    """A summary's paragraphs (blank lines part them)."""
    return [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", summary) if p.strip()]


def _md_link(link: Link, story: Story, language: str) -> str:
    label = link_label(link, language)
    if _pointer(story):
        return f"- {md(link.title.rstrip('.'))}. [{md(label)}](<{link.url}>)"
    return f"- {md(label)}: [{md(link.title)}](<{link.url}>)"


def to_markdown(notes: Notes) -> str:
    """The byline, the opening line and the show's text, then a section per story and short
    item (the intro, sponsor reads and outro are chapters only), the links that fit no story,
    and after a rule the show's closing text."""
    out: list[str] = []
    dateline = " · ".join(md(x) for x in (notes.byline, notes.date) if x)
    if dateline:
        out += [f"*{dateline}*", ""]
    if notes.synopsis:
        out += [md(notes.synopsis), ""]
    if notes.before.strip():
        out += [notes.before.strip(), ""]
    for s in notes.told:
        paras = paragraphs(s.summary) or [""]
        out += [f"## {md(s.title)}", "", f"`[{clock(s.start)}]` {md(paras[0])}".rstrip(), ""]
        for para in paras[1:]:
            out += [md(para), ""]
        for link in s.links:
            out.append(_md_link(link, s, notes.language))
        if s.links:
            out.append("")
    if notes.links:
        out += ["## Links", ""] + [f"- [{md(link.title)}](<{link.url}>)" for link in notes.links] + [""]
    if notes.after.strip():
        out += ["---", "", notes.after.strip(), ""]
    return "\n".join(out)


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).disable("image")
    parser.validateLink = safe_link  # type: ignore[method-assign]  # javascript: and the like stay text
    return parser


def render_markdown(text: str) -> str:
    """The show's own Markdown as HTML: raw HTML is written as text, images as their text,
    and a link that is not http(s), mailto or on the same site is no link."""
    return _markdown().render(text) if text.strip() else ""


def _html_link(link: Link, story: Story, language: str) -> str:
    e = html.escape
    lang = f' hreflang="{e(link.language)}"' if link.language else ""
    label = e(link_label(link, language))
    if _pointer(story):
        return f'<p class="pointer">{e(link.title.rstrip("."))}. <a href="{e(link.url)}"{lang}>{label}</a></p>'
    return f'<li>{label}: <a href="{e(link.url)}"{lang}>{e(link.title)}</a></li>'


def to_html(notes: Notes) -> str:
    e = html.escape
    out = ['<section class="show-notes">']
    if notes.synopsis:
        out.append(f'<p class="synopsis">{e(notes.synopsis)}</p>')
    if notes.before.strip():
        out.append(f'<div class="show-text before">\n{render_markdown(notes.before).strip()}\n</div>')
    for i, s in enumerate(notes.told, 1):
        kind = " short" if s.kind == "short" else ""
        out.append(f'<article class="story{kind}" id="story-{i}" data-start="{s.start:.2f}">')
        out.append(f"<h3>{e(s.title)}</h3>")
        paras = paragraphs(s.summary) or [""]
        out.append(
            f'<p><a class="timestamp" href="#t={int(s.start)}" data-start="{s.start:.2f}">'
            f'<time datetime="{iso_duration(s.start)}">{clock(s.start)}</time></a> {e(paras[0])}</p>'
        )
        out += [f"<p>{e(para)}</p>" for para in paras[1:]]
        if _pointer(s):
            out.append(_html_link(s.links[0], s, notes.language))
        elif s.links:
            items = "".join(_html_link(link, s, notes.language) for link in s.links)
            out.append(f'<ul class="links">{items}</ul>')
        out.append("</article>")
    if notes.links:
        out.append(
            '<section class="links"><h3>Links</h3><ul>'
            + "".join(f'<li><a href="{e(link.url)}">{e(link.title)}</a></li>' for link in notes.links)
            + "</ul></section>"
        )
    if notes.after.strip():
        out.append(f'<div class="show-text after">\n{render_markdown(notes.after).strip()}\n</div>')
    out.append("</section>")
    return "\n".join(out) + "\n"


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def dress(
    notes: Notes,
    *,
    host: str,
    date: dt.datetime | None,
    guests: list[str],
    title: str,
    before: str = "",
    after: str = "",
) -> Notes:
    """The page around the stories: the byline ("By Mara Quill") and the date in the notes'
    language, and the show's ``before``/``after`` Markdown with {guests}, {title} and
    {date} filled in (as text: a title with a star in it is no emphasis)."""
    notes.byline = byline(host, notes.language)
    notes.date = date_label(date, notes.language) if date else ""
    values = {"{guests}": md(join_names(guests, notes.language)), "{title}": md(title), "{date}": md(notes.date)}
    notes.before, notes.after = _fill(before, values).strip(), _fill(after, values).strip()
    return notes


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
_URL = r"\(<?([^<>()\s]+)>?\)"
# "- Read more (English): [Title](<url>)", "- [Title](<url>)" (the label is optional)
_LINK = re.compile(r"^[-*+][ \t]+(?:(.+?):[ \t]*)?\[(.+)\]" + _URL + r"[ \t]*$")
# a short item's pointer: "- The guide. [Read it here (English)](<url>)"
_POINTER = re.compile(r"^[-*+][ \t]+(.+?)\.[ \t]+\[([^\]]+)\]" + _URL + r"[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:-[ \t]*){3,}$")
_DATELINE = re.compile(r"^\*(.+)\*$")
_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>|~#+\-=.!()&{}])")


def _plain_md(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text).strip()


def _clock_seconds(label: str) -> float:
    total = 0
    for part in label.split(":"):
        total = total * 60 + int(part)
    return float(total)


def _read_link(title: str, label_text: str, url: str, made: Notes) -> Link:
    """A link line read back: the link podkit wrote at that URL (its description, label and
    language kept) where its label reads the same, else the label and language it says."""
    title, label_text = _plain_md(title), _plain_md(label_text)
    known = [link for s in made.told for link in s.links] + list(made.links)
    for link in known:
        if link.url == url and (not label_text or link_label(link, made.language) == label_text):
            return Link(title, url, link.description, link.label, link.language)
    found = re.match(r"^(.*?)(?:[ \t]+\(([^()]+)\))?$", label_text)
    label, name = (found.group(1), found.group(2)) if found else (label_text, None)
    language = language_code(name, made.language) if name else ""
    if name and not language:
        label = label_text  # "(...)" that names no language is part of the label
    return Link(title, url, label="" if label == DEFAULT_LABEL else label, language=language)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Lines in blocks parted by blank lines."""
    out: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            out[-1].append(line)
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


def _head(lines: list[str], made: Notes) -> tuple[str, str, str, str]:
    """(byline, date, opening line, before) from the text before the first section: the
    dateline where podkit wrote one, the opening line where it wrote one, and the rest as the
    host's Markdown, kept as it is."""
    blocks = _blocks(lines)
    byline_, date = "", ""
    if blocks and len(blocks[0]) == 1 and (made.byline or made.date):
        dateline = _DATELINE.match(blocks[0][0].strip())
        if dateline:
            parts = [_plain_md(p) for p in dateline.group(1).split(" · ")]
            if len(parts) >= 2:
                byline_, date = parts[0], " · ".join(parts[1:])
            elif made.byline:
                byline_ = parts[0]
            else:
                date = parts[0]
            blocks = blocks[1:]
    synopsis = ""
    if blocks and made.synopsis:
        synopsis = _plain_md(" ".join(line.strip() for line in blocks[0]))
        blocks = blocks[1:]
    before = "\n\n".join("\n".join(b) for b in blocks)
    return byline_, date, synopsis, before


def read_markdown(path: Path, made: Notes) -> Notes:
    """The host's edit of ``<slug>.notes.md`` as notes: the byline, the opening line and the
    show's text before the first section; per ``## Heading`` section the story's title, start
    (the ``[MM:SS]`` it opens with), paragraphs and links; the closing text after a ``---``
    rule. The parts the notes leave out (intro, sponsor reads, outro) stay as podkit found
    them in ``made``, so the chapters still cover the episode. A file podkit cannot read as
    notes is a MediaError naming the line."""
    from ..errors import MediaError

    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise MediaError("is not UTF-8 text; save it as UTF-8", path=path) from None
    head: list[str] = []
    tail: list[str] | None = None
    told: list[Story] = []
    paras: dict[int, list[str]] = {}  # id(story) -> its paragraphs
    extra: list[Link] = []
    current: Story | None = None
    in_links = False
    fresh = True  # the next text line starts a paragraph
    for n, line in enumerate(lines, 1):
        if tail is not None:
            tail.append(line)
            continue
        heading = _HEADING.match(line)
        if heading:
            title = _plain_md(heading.group(1))
            in_links = title.lower() == "links" and bool(told)
            current = None
            if not in_links:
                current = Story(-1.0, 0.0, title, "", "")
                current_line = n
                told.append(current)
                paras[id(current)] = []
            continue
        if not told:
            head.append(line)
            continue
        text = line.strip()
        if not text:
            fresh = True
            continue
        if _RULE.match(line):
            tail = []  # the show's closing text
            continue
        pointer = _POINTER.match(text)
        link = None if pointer else _LINK.match(text)
        if (pointer or link) and (current is not None or in_links):
            target = current.links if current is not None else extra
            if pointer:
                target.append(_read_link(pointer.group(1), pointer.group(2), pointer.group(3), made))
            elif link:
                target.append(_read_link(link.group(2), link.group(1) or "", link.group(3), made))
            continue
        if current is None:
            raise MediaError(f"line {n}: the Links section takes '- [title](url)' lines only", path=path)
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
            fresh = True
        own = paras[id(current)]
        if fresh or not own:
            own.append(_plain_md(text))
        else:
            own[-1] = f"{own[-1]} {_plain_md(text)}".strip()
        fresh = False
    if not told:
        raise MediaError(
            f"line {len(lines) or 1}: has no sections ('## Heading' lines, each opening with its "
            "'`[MM:SS]`' time); undo the edit, or delete the file to have it made again",
            path=path,
        )
    for story in told:
        if story.start < 0:
            raise MediaError(f"the section '{story.title}' has no '`[MM:SS]`' time; give it one", path=path)
        story.summary = "\n\n".join(p for p in paras[id(story)] if p)
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
    byline_, date, synopsis, before = _head(head, made)
    return Notes(
        parts,
        extra,
        synopsis,
        list(made.warnings),
        byline=byline_,
        date=date,
        before=before,
        after="\n".join(tail or []).strip(),
        language=made.language,
    )
