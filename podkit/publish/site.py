"""The listener pages: public/index.html, public/episodes/<slug>/index.html and search.json.

Static files only: semantic HTML that reads with JavaScript off (the notes, the whole
transcript, the links and a plain ``<audio>``), and two small scripts under public/assets/
that enhance it: the episode page follows along (the sentence being spoken is marked
``aria-current``), shows the chapter playing with previous/next controls, seeks on any
sentence, timestamp or ``#t=`` (W3C Media Fragments) and shares a moment; the show page
searches every transcript through ``search.json``.

The transcript is read from the Podcasting 2.0 JSON (one segment per word, with its
speaker where the transcribe stage knew it) and cut into sentences and paragraphs here: a
new paragraph at each change of speaker, each story start (the notes' headings appear
there), a long pause, or the first sentence end after ``PARAGRAPH_SECONDS``. A transcript
that cannot be read that way falls back to the transcript stage's HTML fragment.

All text is escaped: Jinja2's autoescape in the templates, ``html.escape`` for the
transcript built here, and JSON-LD is written so that nothing in it can close its
``<script>`` element. The notes fragment comes already escaped from its stage.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..clock import clock, iso_duration, length
from ..config import ShowConfig
from ..fsutil import write_bytes, write_text
from ..records import Person
from ..text import join_words

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
ASSETS = ("episode.js", "show.js")  # copied to public/assets/
SITE_VERSION = 1  # bump when what a page says changes (and the templates and scripts did not)

PARAGRAPH_SECONDS = 45.0  # a paragraph ends at the first sentence end after this long
PARAGRAPH_PAUSE = 2.0  # a silence this long starts a new paragraph
SENTENCE_PAUSE = 1.5  # a silence this long ends a sentence even without punctuation
SENTENCE_SOFT = 20.0  # past this, a sentence without an end breaks at a comma
SENTENCE_HARD = 30.0  # and past this at the next word
STORY_SLACK = 0.5  # a story starts at the first sentence that starts this close to its time
_ENDS = (".", "?", "!", "…", "。", "？", "！")  # the CJK full stops too
_CLOSERS = "\"'”’)]»"
_ABBREVIATIONS = frozenset(["mr.", "mrs.", "ms.", "dr.", "st.", "prof.", "vs.", "e.g.", "i.e.", "jr.", "sr.", "mt."])
_ARTICLE = re.compile(
    r'<article class="story[^"]*" id="(story-\d+)" data-start="([0-9.]+)">\s*<h3>(.*?)</h3>', re.DOTALL
)


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


# -- the transcript as listeners read it ---------------------------------------------------


class Spoken(NamedTuple):
    """One word of the published transcript (a tuple: a long show has millions of them)."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Sentence:
    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class StoryMark:
    """A story of the notes: its anchor there ("story-3"), its start and its heading (HTML,
    as the notes stage escaped it)."""

    anchor: str
    start: float
    heading_html: str

    @property
    def title(self) -> str:
        return html.unescape(self.heading_html)

    @property
    def transcript_anchor(self) -> str:
        return f"transcript-{self.anchor}"


@dataclass
class Paragraph:
    start: float
    speaker: str | None
    sentences: list[Sentence] = field(default_factory=list)
    stories: list[StoryMark] = field(default_factory=list)  # headings that open it

    @property
    def text(self) -> str:
        return join_words(s.text for s in self.sentences)


def read_words(path: Path) -> list[Spoken] | None:
    """The words of a Podcasting 2.0 JSON transcript in time order, or None when the file is
    missing or is not one (the page then shows the transcript stage's HTML)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        words = [
            Spoken(
                float(s["startTime"]),
                float(s["endTime"]),
                str(s["body"]),
                str(s["speaker"]) if s.get("speaker") else None,
            )
            for s in data["segments"]
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    words = [w for w in words if w.text.strip() and math.isfinite(w.start) and math.isfinite(w.end)]
    words.sort(key=lambda w: w.start)
    return words


_OPENERS = tuple("([{$£€¥‘“-")


def _join(words: list[Spoken]) -> str:
    """``join_words`` of the words' texts, with a fast path for the common case: every word
    after the first starts with a letter or digit and none ends with an opening bracket,
    quote, currency sign or hyphen (then single spaces are what join_words gives too)."""
    texts = [w.text.strip() for w in words]
    if all(t[:1].isalnum() for t in texts[1:]) and not any(t.endswith(_OPENERS) for t in texts[:-1]):
        return " ".join(t for t in texts if t)
    return join_words(texts)


def _ends_sentence(text: str) -> bool:
    bare = text.rstrip(_CLOSERS)
    if not bare.endswith(_ENDS):
        return False
    return bare.lower() not in _ABBREVIATIONS and not re.fullmatch(r"[A-Z]\.", bare)


def sentences(words: list[Spoken]) -> list[Sentence]:
    """Sentences from words: each ends at end punctuation, a change of speaker or a pause of
    ``SENTENCE_PAUSE``; one that runs on past ``SENTENCE_SOFT`` breaks at a comma, past
    ``SENTENCE_HARD`` at the next word (so the page always has a line to follow)."""
    out: list[Sentence] = []
    current: list[Spoken] = []

    def flush() -> None:
        if current:
            out.append(Sentence(current[0].start, current[-1].end, _join(current), current[0].speaker))
            current.clear()

    for word in words:
        if current and (word.speaker != current[-1].speaker or word.start - current[-1].end >= SENTENCE_PAUSE):
            flush()
        current.append(word)
        span = word.end - current[0].start
        if (
            _ends_sentence(word.text)
            or (span >= SENTENCE_SOFT and word.text.rstrip().endswith((",", ";", ":", "、", "，")))
            or span >= SENTENCE_HARD
        ):
            flush()
    flush()
    return out


def story_marks(notes_html: str) -> list[StoryMark]:
    """The stories the notes fragment holds (its ``<article class="story">`` elements)."""
    return [StoryMark(m.group(1), float(m.group(2)), m.group(3).strip()) for m in _ARTICLE.finditer(notes_html)]


def paragraphs(said: list[Sentence], stories: Sequence[StoryMark] = ()) -> list[Paragraph]:
    """Paragraphs of sentences: a new one at a change of speaker, at each story's start (its
    heading opens it), after a pause of ``PARAGRAPH_PAUSE``, or at the first sentence end
    after ``PARAGRAPH_SECONDS``."""
    pending = sorted(stories, key=lambda s: s.start)
    out: list[Paragraph] = []
    last_end: float | None = None
    for sentence in said:
        opening = []
        while pending and pending[0].start <= sentence.start + STORY_SLACK:
            opening.append(pending.pop(0))
        para = out[-1] if out else None
        if (
            para is None
            or opening
            or sentence.speaker != para.speaker
            or (last_end is not None and sentence.start - last_end >= PARAGRAPH_PAUSE)
            or sentence.start - para.start >= PARAGRAPH_SECONDS
        ):
            para = Paragraph(sentence.start, sentence.speaker, stories=opening)
            out.append(para)
        para.sentences.append(sentence)
        last_end = sentence.end
    return out


def _t(seconds: float) -> str:
    """A ``#t=`` value: seconds, rounded down to a tenth, so the jump never misses the start."""
    tenths = max(0, math.floor(seconds * 10))
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def transcript_html(paras: list[Paragraph], language: str = "") -> str:
    """The transcript section: story headings (linked to their moment), then one ``<p>`` per
    paragraph opening with its timestamp (a link that seeks) and speaker, each sentence a
    ``<span data-t>`` the script follows along."""
    e = html.escape
    lang = f' lang="{e(language)}"' if language else ""
    out = [f'<section class="transcript" id="transcript" aria-labelledby="transcript-heading"{lang}>']
    for para in paras:
        for story in para.stories:
            out.append(
                f'<h3 class="story-heading" id="{e(story.transcript_anchor)}">'
                f'<a href="#t={_t(story.start)}" data-start="{story.start:.2f}">{story.heading_html}</a></h3>'
            )
        who = f' <strong class="speaker">{e(para.speaker)}</strong>' if para.speaker else ""
        body = " ".join(f'<span data-t="{s.start:.2f}">{e(s.text)}</span>' for s in para.sentences)
        out.append(
            f'<p data-start="{para.start:.2f}"><a class="timestamp" href="#t={_t(para.start)}" '
            f'data-start="{para.start:.2f}"><time datetime="{iso_duration(para.start)}">{clock(para.start)}</time></a>'
            f"{who} {body}</p>"
        )
    out.append("</section>")
    return "\n".join(out) + "\n"


def _fallback_transcript(fragment: str) -> str:
    """The transcript stage's HTML fragment, as the section the page links to."""
    return fragment.replace(
        '<section class="transcript">',
        '<section class="transcript" id="transcript" aria-labelledby="transcript-heading">',
        1,
    )


def link_notes(notes_html: str, linked: set[str]) -> str:
    """The notes with each story heading linking to the same heading in the transcript."""

    def repl(m: re.Match[str]) -> str:
        if m.group(1) not in linked:
            return m.group(0)
        head = m.group(0)[: m.start(3) - m.start(0)]
        return f'{head}<a href="#transcript-{m.group(1)}">{m.group(3)}</a></h3>'

    return _ARTICLE.sub(repl, notes_html)


# -- what search engines and link previews read --------------------------------------------


def iso8601(seconds: float) -> str:
    """A duration as schema.org wants it: 145 -> "PT2M25S", 3723 -> "PT1H2M3S"."""
    t = max(0, round(seconds))
    h, m, s = t // 3600, t // 60 % 60, t % 60
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s or not (h or m) else "")


def json_ld(data: dict[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">``: "<", ">" and "&" (and the two line
    separators JavaScript forbids in strings) as \\u escapes, so no text can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


# -- the pages -----------------------------------------------------------------------------


@dataclass
class Page:
    slug: str
    title: str
    pub_date: dt.datetime
    duration: int
    description: str
    notes_html: str = ""
    transcript_html: str = ""  # the transcript stage's fragment: shown when the JSON cannot be read
    language: str = ""  # what the episode is spoken in, where it is not the show's language
    byline: str = ""  # "By Mara Quill", in the show's language
    date_label: str = ""  # the date in the show's language
    guests: tuple[Person, ...] = ()
    transcript_json: Path | None = None  # the Podcasting 2.0 JSON transcript (words, speakers)
    chapters: tuple[tuple[float, str], ...] = ()  # every part, in order, the first at zero
    episode: int | None = None
    season: int | None = None

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

    def transcript(self) -> tuple[list[Paragraph] | None, list[StoryMark]]:
        """The paragraphs from the JSON transcript (None when it cannot be read) and the
        notes' stories."""
        stories = story_marks(self.notes_html)
        words = read_words(self.transcript_json) if self.transcript_json else None
        if not words:
            return None, stories
        return paragraphs(sentences(words), stories), stories


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    write_text(path, text)
    return True


@functools.lru_cache(maxsize=4)
def _asset(name: str) -> tuple[str, str]:
    """An asset's text and a short hash of it (the ``?v=`` that makes browsers fetch it anew)."""
    text = (STATIC / name).read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode()).hexdigest()[:10]


def _chapter_context(chapters: tuple[tuple[float, str], ...], duration: float) -> list[dict[str, Any]]:
    out = []
    for i, (start, title) in enumerate(chapters):
        end = chapters[i + 1][0] if i + 1 < len(chapters) else duration
        share = 100 * max(0.0, end - start) / duration if duration > 0 else 0.0
        out.append({"start": f"{start:.2f}", "t": _t(start), "clock": clock(start), "title": title, "share": share})
    return out


def _templates_hash() -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(TEMPLATES.glob("*.html")))).hexdigest()[:16]


def _page_key(page: Page, show_key: list[Any]) -> str:
    """What an episode's page is made from: its fields, the show's, the templates and scripts,
    and the transcript file's size and time (a changed transcript is a new file)."""
    source = page.transcript_json
    try:
        stat = source.stat() if source else None
        seen = [str(source), stat.st_size, stat.st_mtime_ns] if stat else None
    except OSError:
        seen = None
    fields = {k: v for k, v in vars(page).items() if k != "transcript_json"}
    text = json.dumps([SITE_VERSION, show_key, seen, fields], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _render_episode(
    page: Page, show: ShowConfig, feed_url: str, base: str, cover_url: str, assets: dict[str, str]
) -> tuple[str, list[list[Any]]]:
    """The episode's page and the paragraphs search.json holds for it ([start, text] each)."""
    paras, _ = page.transcript()
    language = page.language or show.language
    found: list[list[Any]] = []
    if paras is not None:
        body = transcript_html(paras)
        linked = {s.anchor for p in paras for s in p.stories}
        text = "\n\n".join(p.text for p in paras)
        found = [[round(p.start, 2), p.text] for p in paras]
    else:
        body = _fallback_transcript(page.transcript_html) if page.transcript_html else ""
        linked, text = set(), ""
    ep = page.context()
    url = f"{base}/episodes/{page.slug}/"
    media = f"{base}/media/{page.slug}.mp3"
    episode_ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": page.title,
        "url": url,
        "datePublished": page.pub_date.isoformat(),
        "timeRequired": iso8601(page.duration),
        "inLanguage": language,
        "image": cover_url,
        "associatedMedia": {
            "@type": "AudioObject",
            "contentUrl": media,
            "encodingFormat": "audio/mpeg",
            "duration": iso8601(page.duration),
            "inLanguage": language,
        },
        "partOfSeries": {"@type": "PodcastSeries", "name": show.title, "url": f"{base}/", "webFeed": feed_url},
    }
    if text:
        episode_ld["associatedMedia"]["transcript"] = text
    if page.episode is not None:
        episode_ld["episodeNumber"] = page.episode
    html_text = (
        _env()
        .get_template("episode.html")
        .render(
            show=show,
            feed_url=feed_url,
            ep=ep,
            lang=page.language,
            base=base,
            url=url,
            media_url=media,
            cover_url=cover_url,
            assets=assets,
            notes_html=link_notes(page.notes_html, linked),
            transcript_html=body,
            chapters=_chapter_context(page.chapters, page.duration),
            json_ld=json_ld(episode_ld),
        )
    )
    return html_text, found


def build_site(
    public: Path,
    show: ShowConfig,
    feed_url: str,
    cover_name: str,
    pages: list[Page],
    cache_dir: Path | None = None,
) -> list[Path]:
    """Write the pages (newest first on the index), search.json and the scripts; return the
    files that changed. ``cache_dir`` keeps, per episode, what its page was made from and its
    search paragraphs: an episode whose inputs did not change is not read or made again."""
    env = _env()
    base = show.url.rstrip("/")
    cover_url = f"{base}/{cover_name}"
    ordered = sorted(pages, key=lambda p: (p.pub_date, p.slug), reverse=True)
    changed = []
    assets = {}
    for name in ASSETS:
        text, version = _asset(name)
        assets[name.replace(".", "_")] = version
        if _write_if_changed(public / "assets" / name, text):
            changed.append(public / "assets" / name)
    series = {
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": show.title,
        "description": show.description,
        "url": f"{base}/",
        "webFeed": feed_url,
        "image": cover_url,
        "inLanguage": show.language,
        "author": {"@type": "Person", "name": show.author},
    }
    index = env.get_template("index.html").render(
        show=show,
        feed_url=feed_url,
        cover=cover_name,
        cover_url=cover_url,
        base=base,
        assets=assets,
        episodes=[p.context() for p in ordered],
        json_ld=json_ld(series),
    )
    if _write_if_changed(public / "index.html", index):
        changed.append(public / "index.html")
    show_key = [base, feed_url, cover_url, show.title, show.language, assets, _templates_hash()]
    made: dict[str, list[list[Any]]] = {}  # paragraphs of the pages made now
    keys = []
    for page in ordered:
        path = public / "episodes" / page.slug / "index.html"
        key = _page_key(page, show_key)
        keys.append([page.slug, key])
        if path.exists() and _cached_key(cache_dir, page.slug) == key:
            continue
        html_text, made[page.slug] = _render_episode(page, show, feed_url, base, cover_url, assets)
        if _write_if_changed(path, html_text):
            changed.append(path)
        if cache_dir is not None:  # its key, then its search paragraphs
            write_text(cache_dir / f"{page.slug}.page", f"{key}\n{json.dumps(made[page.slug])}\n")
    changed += _write_search(public, ordered, made, keys, cache_dir)
    return changed


def _cached_key(cache_dir: Path | None, slug: str) -> str | None:
    """The key the episode's page was last made from (the first line of its cache file)."""
    if cache_dir is None:
        return None
    try:
        with open(cache_dir / f"{slug}.page", encoding="utf-8") as fh:
            return fh.readline().rstrip("\n")
    except OSError:
        return None


def _search_key(path: Path) -> str | None:
    """The key search.json was made from (it leads the file)."""
    try:
        with open(path, encoding="utf-8") as fh:
            head = fh.read(120)
    except OSError:
        return None
    found = re.match(r'\{"version":1,"key":"([0-9a-f]{64})"', head)
    return found.group(1) if found else None


def _write_search(
    public: Path,
    ordered: list[Page],
    made: dict[str, list[list[Any]]],
    keys: list[list[str]],
    cache_dir: Path | None,
) -> list[Path]:
    """search.json (every episode's paragraphs, newest first) and search.json.gz (the same,
    gzip-compressed, for hosts that do not compress JSON). Left alone when no page changed."""
    target, packed = public / "search.json", public / "search.json.gz"
    combined = hashlib.sha256(json.dumps(keys).encode()).hexdigest()
    if not made and packed.exists() and _search_key(target) == combined:
        return []
    episodes = []
    for page in ordered:
        found = made.get(page.slug)
        if found is None and cache_dir is not None:
            try:
                found = json.loads((cache_dir / f"{page.slug}.page").read_text(encoding="utf-8").split("\n", 1)[1])
            except (OSError, ValueError, IndexError):
                found = None
        if found is None:  # no cache: made again (its page is current, so left as it is)
            found = _render_episode_paragraphs(page)
        if found:
            date = page.pub_date.date().isoformat()
            episodes.append({"slug": page.slug, "title": page.title, "date": date, "paragraphs": found})
    index = {"version": 1, "key": combined, "episodes": episodes}
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":")) + "\n"
    changed = []
    if _write_if_changed(target, text):
        changed.append(target)
    if target in changed or not packed.exists():
        write_bytes(packed, gzip.compress(text.encode(), compresslevel=6, mtime=0))
        changed.append(packed)
    return changed


def _render_episode_paragraphs(page: Page) -> list[list[Any]]:
    paras, _ = page.transcript()
    return [[round(p.start, 2), p.text] for p in paras or []]
