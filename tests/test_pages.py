"""The listener pages: the transcript to read (paragraphs, speakers, the notes' story headings),
follow-along, chapters in the player, #t= moments, sharing, the show-wide search, pages that
read without JavaScript, accessibility (axe-core), Open Graph and JSON-LD.

Two shows, each made once: the sample show run through ``podkit run`` (real audio, real
transcript and notes), and a small show published straight from hand-made transcript files
(two speakers, three episodes, hostile text, one in Spanish) for what the sample cannot show.
The browser tests share one headless Chromium."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import os
import re
from html import escape

import pytest
from lxml import html as lxml_html
from playwright.sync_api import expect

from podkit.config import load_show
from podkit.publish import PublishedEpisode, publish
from podkit.publish.feed import Chapter
from podkit.publish.site import iso8601, json_ld, paragraphs, read_words, sentences

from .conftest import HOSTILE_TITLE, SAMPLE, ffmpeg, make_show

CHROMIUM = "/usr/bin/chromium"
SLUG = SAMPLE.stem
TITLE = HOSTILE_TITLE
# A sidecar title no page may let out of its element (JSON-LD included).
BREAKOUT = "Roofs </script><script>alert(1)</script><!-- & more"


def _dom(path):
    return lxml_html.parse(str(path)).getroot()


# -- the two shows -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(published_sample):
    """The sample show with a hostile title, through the real ``podkit run`` (conftest)."""
    return published_sample


# (speaker, sentence) lines of the hand-made episodes; words are timed 0.3 s apart.
LINES = {
    "ferry": [
        ("Imogen Vale", "Good morning and welcome to the harbour desk."),
        ("Imogen Vale", "Today the ferry subsidy and a robot team."),
        ("Marcus <Reddy>", "The council sat for six hours on the ferry subsidy."),
        ("Marcus <Reddy>", "The vote was tied at midnight </script> and nobody went home happy."),
        ("Imogen Vale", "Islanders say fares would rise by half."),
        ("Imogen Vale", "Now the robotics team from Eastbridge."),
        ("Marcus <Reddy>", "Their robot sorts recycling faster than any adult."),
        ("Marcus <Reddy>", "They leave for the national final on Friday."),
    ],
    "market": [
        ("Ana", "The night market opens again on Saturday."),
        ("Ana", "Stalls sell noodles, lanterns and a ferry timetable printed on silk."),
        ("Ben", "The market closed for a year after the storm."),
    ],
    "hoy": [
        ("Lucía", "Hoy hace buen tiempo y los niños juegan en el parque."),
        ("Lucía", "Por la noche vamos a cenar con nuestros amigos."),
    ],
}
STORIES = {"ferry": [(0, "Welcome"), (2, "Council deadlocks over the ferry"), (5, "Robots & <recycling>")]}


def _timed(lines, *, gap: float = 0.6):
    """Word segments (Podcasting 2.0 JSON) and each line's start."""
    segments, starts, t = [], [], 0.0
    for speaker, text in lines:
        starts.append(t)
        for word in text.split():
            segments.append({"startTime": round(t, 3), "endTime": round(t + 0.25, 3), "body": word, "speaker": speaker})
            t += 0.3
        t += gap
    return segments, starts, t


def _notes_html(slug: str, starts: list[float]) -> str:
    out = ['<section class="show-notes">']
    for i, (line, title) in enumerate(STORIES.get(slug, []), 1):
        start = starts[line]
        out.append(f'<article class="story" id="story-{i}" data-start="{start:.2f}">')
        out.append(f"<h3>{escape(title)}</h3>")
        stamp = f'<a class="timestamp" href="#t={int(start)}" data-start="{start:.2f}">{start:.0f}</a>'
        out.append(f"<p>{stamp} About it.</p>")
        out.append("</article>")
    out.append("</section>")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def handmade(handmade_show):
    return handmade_show[0]


@pytest.fixture(scope="module")
def handmade_show(tmp_path_factory):
    """Three episodes published from hand-made transcript, notes and chapter files (real MP3s
    of silence of the right length, so the player can seek), and the episodes."""
    root = make_show(tmp_path_factory.mktemp("pages") / "hand")
    show = load_show(root)
    show.media_dir.mkdir(parents=True)
    show.transcripts_dir.mkdir(exist_ok=True)
    episodes, day = [], dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    for i, (slug, lines) in enumerate(LINES.items()):
        segments, starts, end = _timed(lines)
        (show.transcripts_dir / f"{slug}.json").write_text(json.dumps({"version": "1.0.0", "segments": segments}))
        (show.transcripts_dir / f"{slug}.notes.html").write_text(_notes_html(slug, starts))
        silence = ("-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", f"{end + 1:.1f}", "-b:a", "32k")
        ffmpeg(*silence, str(show.media_dir / f"{slug}.mp3"))
        chapters = tuple(Chapter(starts[line], title) for line, title in STORIES.get(slug, []))
        episodes.append(
            PublishedEpisode(
                slug=slug,
                guid=f"guid-{slug}",
                title=BREAKOUT if slug == "ferry" else f"Episode {slug} <b>&</b>",
                pub_date=day + dt.timedelta(days=i),
                description=f"All about {slug}.",
                duration=end + 1,
                chapters=chapters,
                language="es" if slug == "hoy" else "",
            )
        )
    publish(show, episodes)
    return root, episodes


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


def _serve(root):
    from podkit.publish.serve import serve_in_thread

    server = serve_in_thread(root / "public")
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def sample_url(sample):
    server, base = _serve(sample)
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def handmade_url(handmade):
    server, base = _serve(handmade)
    yield base
    server.shutdown()
    server.server_close()


def _page(browser, problems=None, **kw):
    page = browser.new_page(**kw)
    if problems is not None:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def _ready(page):
    """Wait for the episode page's player to know its media. Null-safe: right after a click
    on a link the old page may still be the document (the predicate then waits, not fails)."""
    page.wait_for_function("(() => { const p = document.getElementById('player'); return !!p && p.readyState >= 1 })()")


def _wait_at(page, seconds: float, within: float = 0.3) -> None:
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {seconds}) < {within}")


def _at(page, seconds: float) -> None:
    """Move the player as a listener dragging its position does."""
    page.evaluate(f"document.getElementById('player').currentTime = {seconds}")
    _wait_at(page, seconds, 0.3)


# -- the transcript to read ----------------------------------------------------------------------


@pytest.mark.slow
def test_the_transcript_reads_in_paragraphs_with_the_stories(sample):
    """One #transcript, a <p> per paragraph opening with a timestamp link; a paragraph at each
    story start under the notes' heading (which the notes link to); none over about a minute;
    every word of the JSON transcript on the page."""
    page = _dom(sample / "public" / "episodes" / SLUG / "index.html")
    (section,) = page.xpath("//*[@id='transcript']")
    paras = section.xpath("p")
    assert len(paras) >= 4  # not two walls of 250 words: one at each story start at least
    starts = [float(p.get("data-start")) for p in paras]
    assert starts == sorted(starts) and starts[0] < 1
    for p in paras:
        first = p.xpath("*")[0]
        assert first.tag == "a" and first.get("class") == "timestamp" and first.get("href").startswith("#t=")
    spans = [float(s) for s in section.xpath("p/span/@data-t")]
    assert max(b - a for a, b in itertools.pairwise(starts)) <= 75  # about 45-60 s at most
    assert spans == sorted(spans)
    chapters = json.loads((sample / "transcripts" / f"{SLUG}.chapters.json").read_text())["chapters"]
    notes = page.xpath("//article[contains(@class, 'story')]")
    assert len(notes) == len(chapters) >= 3
    for i, (article, chapter) in enumerate(zip(notes, chapters, strict=True), 1):
        (heading,) = section.xpath(f"h3[@id='transcript-story-{i}']")
        assert heading.text_content() == chapter["title"]
        # the notes link to it, and it links to its moment
        assert article.xpath("string(h3/a/@href)") == f"#transcript-story-{i}"
        assert heading.xpath("string(a/@href)") == f"#t={int(chapter['startTime'] * 10) / 10:g}"
        following = heading.getnext()
        assert following.tag == "p"
        assert float(following.get("data-start")) == pytest.approx(chapter["startTime"], abs=0.6)
    words = read_words(sample / "transcripts" / f"{SLUG}.json")
    assert len(words) > 300
    said = re.sub(r"\s+", "", "".join(w.text for w in words))
    assert re.sub(r"\s+", "", "".join(section.xpath("p/span/text()"))) == said  # every word, in order


def test_paragraphs_follow_speakers_and_escape_what_they_say(handmade):
    page = _dom(handmade / "public" / "episodes" / "ferry" / "index.html")
    paras = page.xpath("//*[@id='transcript']/p")
    speakers = [p.xpath("string(strong[@class='speaker'])") for p in paras]
    # a paragraph at each change of speaker, and at each story start (the third story opens on
    # the speaker of the paragraph before it)
    assert speakers == ["Imogen Vale", "Marcus <Reddy>", "Imogen Vale", "Imogen Vale", "Marcus <Reddy>"]
    text = (handmade / "public" / "episodes" / "ferry" / "index.html").read_text()
    assert "Marcus &lt;Reddy&gt;" in text and "midnight &lt;/script&gt; and" in text
    assert [h.text_content() for h in page.xpath("//*[@id='transcript']/h3")] == [t for _, t in STORIES["ferry"]]
    # a story start opens a paragraph even where the speaker goes on
    assert len(paras[0].xpath("span")) == 2 and paras[0].getprevious().get("id") == "transcript-story-1"
    # Spanish spoken in an English show: the page says so
    assert '<html lang="es">' in (handmade / "public" / "episodes" / "hoy" / "index.html").read_text()


def test_sentences_break_at_punctuation_speakers_pauses_and_length():
    from podkit.publish.site import Spoken

    words = [Spoken(0, 0.3, "Dr."), Spoken(0.3, 0.6, "Vale"), Spoken(0.6, 0.9, "spoke."), Spoken(1, 1.2, "Yes")]
    words += [Spoken(3, 3.2, "later"), Spoken(3.3, 3.5, "on", "B")]
    assert [s.text for s in sentences(words)] == ["Dr. Vale spoke.", "Yes", "later", "on"]
    run_on = [Spoken(i * 0.5, i * 0.5 + 0.4, "word,") for i in range(100)]
    assert all(s.end - s.start <= 30 for s in sentences(run_on))
    long = [Spoken(i * 5.0, i * 5.0 + 4, f"Sentence {i}.") for i in range(40)]
    paras = paragraphs(sentences(long))
    assert len(paras) > 3 and all(p.sentences[-1].start - p.start < 50 for p in paras)


# -- what search engines and link previews read -------------------------------------------------


@pytest.mark.slow
def test_open_graph_and_json_ld(sample, tmp_path):
    page = _dom(sample / "public" / "episodes" / SLUG / "index.html")
    og = {m.get("property"): m.get("content") for m in page.xpath("//meta[starts-with(@property, 'og:')]")}
    assert og["og:title"] == TITLE
    assert og["og:image"] == "https://pod.example.com/cover.png"
    assert og["og:audio"] == f"https://pod.example.com/media/{SLUG}.mp3" and og["og:audio:type"] == "audio/mpeg"
    assert og["og:description"] and og["og:url"] == f"https://pod.example.com/episodes/{SLUG}/"
    (script,) = page.xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert data["@type"] == "PodcastEpisode" and data["name"] == TITLE
    assert data["datePublished"].startswith("2026-11-20")
    media = data["associatedMedia"]
    assert media["@type"] == "AudioObject" and media["contentUrl"] == og["og:audio"]
    assert re.fullmatch(r"PT2M\d+S", data["timeRequired"]) and data["timeRequired"] == media["duration"]
    assert "telescopes" in media["transcript"] and len(media["transcript"].split()) > 300
    assert data["partOfSeries"]["webFeed"] == "https://pod.example.com/feed.xml"
    show = _dom(sample / "public" / "index.html")
    series = json.loads(show.xpath("string(//script[@type='application/ld+json'])"))
    assert series["@type"] == "PodcastSeries" and series["name"] == "Test Show"
    assert series["webFeed"] == "https://pod.example.com/feed.xml"
    assert show.xpath("string(//meta[@property='og:title']/@content)") == "Test Show"
    # nothing a title or a transcript says can close the JSON-LD's <script>
    text = json_ld({"name": BREAKOUT, "t": "\u2028"})
    assert "<" not in text and ">" not in text and json.loads(text)["name"] == BREAKOUT
    assert iso8601(145) == "PT2M25S" and iso8601(3723) == "PT1H2M3S" and iso8601(0) == "PT0S"


def test_a_breakout_title_stays_text(handmade):
    for slug in ("ferry", "market"):
        body = (handmade / "public" / "episodes" / slug / "index.html").read_text()
        assert "<b>" not in body and "alert(1)</script>" not in body
        assert body.count("<script") == 2 and body.count("</script>") == 2  # the JSON-LD and the page's script
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    data = json.loads(ld.group(1))
    assert data["name"] == "Episode market <b>&</b>"
    body = (handmade / "public" / "episodes" / "ferry" / "index.html").read_text()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))
    assert data["name"] == BREAKOUT and data["associatedMedia"]["transcript"].count("</script>") == 1
    index = (handmade / "public" / "index.html").read_text()
    assert "alert(1)</script>" not in index and "Roofs &lt;/script&gt;" in index


@pytest.mark.slow
def test_search_json_indexes_every_paragraph(sample, handmade):
    index = json.loads((handmade / "public" / "search.json").read_text())
    episodes = index["episodes"]
    assert [e["slug"] for e in episodes] == ["hoy", "market", "ferry"]  # newest first
    for ep in episodes:
        page = _dom(handmade / "public" / "episodes" / ep["slug"] / "index.html")
        paras = page.xpath("//*[@id='transcript']/p")
        assert [p[0] for p in ep["paragraphs"]] == [float(p.get("data-start")) for p in paras]
        assert [p[1] for p in ep["paragraphs"]] == [" ".join(p.xpath("span/text()")) for p in paras]
        assert ep["title"] == (BREAKOUT if ep["slug"] == "ferry" else f"Episode {ep['slug']} <b>&</b>")
    real = json.loads((sample / "public" / "search.json").read_text())["episodes"]
    assert real[0]["slug"] == SLUG and any("telescopes" in text for _, text in real[0]["paragraphs"])


def test_a_page_is_made_again_only_when_its_inputs_change(handmade_show):
    root, episodes = handmade_show
    show = load_show(root)
    public = show.public_dir
    page = public / "episodes" / "ferry" / "index.html"
    before = page.stat().st_mtime_ns
    again = publish(show, episodes)
    assert not [p for p in again.copied if p.is_relative_to(public)]
    assert page.stat().st_mtime_ns == before
    assert gzip.decompress((public / "search.json.gz").read_bytes()) == (public / "search.json").read_bytes()
    source = show.transcripts_dir / "market.json"
    original = source.read_text()
    data = json.loads(original)
    data["segments"][0]["body"] = "Tonight"
    try:
        source.write_text(json.dumps(data))
        changed = {p.relative_to(public).as_posix() for p in publish(show, episodes).copied if p.is_relative_to(public)}
        assert changed == {"episodes/market/index.html", "search.json", "search.json.gz"}
        assert "Tonight night market" in (public / "episodes" / "market" / "index.html").read_text()
        assert "Tonight night market" in gzip.decompress((public / "search.json.gz").read_bytes()).decode()
    finally:
        source.write_text(original)
        publish(show, episodes)
    assert "Tonight" not in (public / "search.json").read_text()


# -- in the browser --------------------------------------------------------------------------------


@pytest.mark.slow
def test_pages_in_a_real_browser(sample, sample_url, browser, tmp_path):
    """The episode page in headless Chromium: no console errors, timestamps seek the player,
    search highlights, and the page reads with JavaScript off. (Moved from test_publish.py.)"""
    base = sample_url
    chapters = json.loads((sample / "transcripts" / f"{SLUG}.chapters.json").read_text())
    problems: list[str] = []
    page = _page(browser, problems, viewport={"width": 390, "height": 844})  # a phone
    index = page.goto(base + "/")
    assert index.status == 200
    assert page.locator("ol.episodes li").count() == 1
    assert page.locator("ol.episodes li a").inner_text() == TITLE  # shown as text, not run
    page.click("ol.episodes li a")
    _ready(page)
    story = chapters["chapters"][2]
    page.click("#story-3 a.timestamp")
    now = page.evaluate("document.getElementById('player').currentTime")
    assert now == pytest.approx(story["startTime"], abs=0.5)
    assert page.locator("#story-3 h3").inner_text() == story["title"]
    page.fill("#search", "telescope")
    marks = page.locator(".transcript mark")
    assert marks.count() >= 2
    assert all(t.lower() == "telescope" for t in marks.all_inner_texts())
    assert "match" in page.locator("#search-count").inner_text()
    page.fill("#search", "")
    assert page.locator(".transcript mark").count() == 0
    page.screenshot(path=str(tmp_path / "episode.png"), full_page=True)
    assert (tmp_path / "episode.png").stat().st_size > 10_000
    assert problems == []
    page.close()
    # JavaScript off: the notes, the transcript, the chapters and a working audio element.
    quiet = _page(browser, java_script_enabled=False)
    quiet.goto(base + f"/episodes/{SLUG}/")
    assert quiet.locator(".story").count() == len(chapters["chapters"])
    assert "telescopes" in quiet.locator(".transcript").inner_text().lower()
    assert quiet.locator("#transcript p").count() >= 4
    assert quiet.locator("#search-form").is_hidden() and quiet.locator("#now").is_hidden()
    assert quiet.locator("#chapter-list a").count() == len(chapters["chapters"])
    assert quiet.locator("audio#player").get_attribute("src") == f"../../media/{SLUG}.mp3"
    quiet.wait_for_function("document.getElementById('player').readyState >= 1")
    assert quiet.evaluate("document.getElementById('player').duration") > 140
    assert quiet.locator("[aria-current]").count() == 0
    quiet.goto(base + "/")
    assert quiet.locator("#show-search").is_hidden() and quiet.locator("ol.episodes li").count() == 1
    quiet.close()


@pytest.mark.slow
def test_follow_along_chapters_and_the_keyboard(sample, sample_url, browser):
    chapters = json.loads((sample / "transcripts" / f"{SLUG}.chapters.json").read_text())["chapters"]
    problems: list[str] = []
    page = _page(browser, problems, viewport={"width": 390, "height": 844}, reduced_motion="reduce")
    page.goto(sample_url + f"/episodes/{SLUG}/")
    _ready(page)
    starts = page.eval_on_selector_all("#transcript span[data-t]", "els => els.map(e => parseFloat(e.dataset.t))")
    assert len(starts) > 20
    for t in (3.0, 61.0, 99.5, 140.0, 12.0):
        spoken = max(s for s in starts if s <= t + 0.1)  # the sentence being spoken
        _at(page, t)
        page.wait_for_function(
            f"(() => {{ const c = document.querySelectorAll('#transcript [aria-current=true]');"
            f" return c.length === 1 && parseFloat(c[0].dataset.t) === {spoken}; }})()"
        )
        assert page.locator("#transcript [aria-current]").count() == 1
        playing = [c for c in chapters if c["startTime"] <= t + 0.1][-1]
        assert page.locator("#chapter-title").inner_text() == playing["title"]
        assert page.locator("#chapter-list [aria-current=true]").inner_text().endswith(playing["title"])
        assert page.evaluate("document.querySelectorAll('#chapter-list [aria-current]').length") == 1
        # kept in view, below the player
        page.wait_for_function(
            "(() => { const r = document.querySelector('#transcript [aria-current=true]').getBoundingClientRect();"
            " return r.top >= document.getElementById('player-area').getBoundingClientRect().bottom - 1"
            " && r.bottom <= innerHeight; })()",
            timeout=5000,
        )
    # the highlight is visible: another background than the text around it
    colours = page.evaluate(
        "[getComputedStyle(document.querySelector('#transcript [aria-current]')).backgroundColor,"
        " getComputedStyle(document.querySelector('#transcript span[data-t]:not([aria-current])')).backgroundColor]"
    )
    assert colours[0] != colours[1]
    # a listener who scrolled away keeps their place for a few seconds
    page.mouse.move(200, 600)
    page.mouse.wheel(0, -5000)
    page.wait_for_function("window.scrollY === 0")
    _at(page, 130.0)
    page.wait_for_timeout(600)
    assert page.evaluate("window.scrollY") == 0
    page.wait_for_timeout(4000)
    _at(page, 100.0)
    page.wait_for_function("window.scrollY > 0")
    # previous / next chapter, from the keyboard
    _at(page, chapters[1]["startTime"] + 2)
    page.focus("#chapter-next")
    page.keyboard.press("Enter")
    _wait_at(page, chapters[2]["startTime"], 0.3)
    expect(page.locator("#chapter-title")).to_have_text(chapters[2]["title"])
    page.focus("#chapter-prev")
    page.keyboard.press("Enter")
    _wait_at(page, chapters[1]["startTime"], 0.3)
    _at(page, 0.2)
    expect(page.locator("#chapter-prev")).to_be_disabled()  # the buttons follow the player's next timeupdate
    # every sentence seeks: a click, and from the keyboard (one tab stop, arrows, Enter)
    page.locator("#transcript span[data-t]").nth(7).click()
    _wait_at(page, starts[7], 0.3)
    page.evaluate("document.getElementById('player').pause()")
    assert page.locator("#transcript span[tabindex='0']").count() == 1
    page.focus("#search")
    for _ in range(12):  # past the heading's and the paragraph's links to the transcript's one tab stop
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#transcript span[data-t]')"):
            break
    assert page.evaluate("document.activeElement.matches('#transcript span[data-t][tabindex=\"0\"]')")
    focused = page.evaluate("parseFloat(document.activeElement.dataset.t)")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    after = starts[starts.index(focused) + 2]
    _wait_at(page, after, 0.3)
    page.evaluate("document.getElementById('player').pause()")
    assert problems == []
    page.close()


@pytest.mark.slow
def test_a_moment_by_link_and_share(sample, sample_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sample_url)
    page = context.new_page()
    url = sample_url + f"/episodes/{SLUG}/"
    for fragment, seconds in (("#t=83", 83), ("#t=1:23.5", 83.5), ("#t=00:01:40", 100), ("#t=npt:61.2,70", 61.2)):
        page.goto("about:blank")
        page.goto(url + fragment)
        _ready(page)
        _wait_at(page, seconds, 0.2)
        assert page.evaluate("document.getElementById('player').paused")  # playback waits for the listener
        at = float(page.locator("#transcript [aria-current=true]").get_attribute("data-t"))
        assert at <= seconds + 0.1
    # share this moment: the link at the current time, copied
    _at(page, 95.4)
    page.click("#share")
    page.wait_for_function("document.getElementById('share-status').textContent.includes('#t=')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == url + "#t=01:35"
    assert copied in page.locator("#share-status").inner_text()
    # a story heading in the transcript links to its moment
    href = page.locator("#transcript-story-2 a").get_attribute("href")
    page.goto("about:blank")
    page.goto(url + href)
    _ready(page)
    chapters = json.loads((sample / "transcripts" / f"{SLUG}.chapters.json").read_text())["chapters"]
    _wait_at(page, chapters[1]["startTime"], 0.2)
    expect(page.locator("#chapter-title")).to_have_text(chapters[1]["title"])
    context.close()


@pytest.mark.slow
def test_the_show_search_finds_every_episode(handmade, handmade_url, browser):
    problems: list[str] = []
    page = _page(browser, problems, viewport={"width": 390, "height": 844})
    page.goto(handmade_url + "/")
    page.fill("#q", "ferry")
    page.wait_for_function("document.querySelectorAll('#results li').length > 0")
    links = page.eval_on_selector_all("#results li a", "els => els.map(e => e.getAttribute('href'))")
    assert {link.split("/")[1] for link in links} == {"ferry", "market"}
    assert all(re.fullmatch(r"episodes/[a-z]+/#t=[0-9.]+", link) for link in links)
    assert page.locator("#results mark").first.inner_text().lower() == "ferry"
    assert "results" in page.locator("#results-count").inner_text()
    # words out of order; hostile text shown as text
    page.fill("#q", "script midnight")
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    assert "</script>" in page.locator("#results li p").inner_text()
    page.fill("#q", "niños")
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    page.fill("#q", "zzzz")
    page.wait_for_function("document.getElementById('results-count').textContent === 'No results.'")
    # a result opens its episode at that moment
    page.fill("#q", "silk")
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    page.click("#results li a")
    page.wait_for_url(re.compile(r".*/episodes/market/#t="))
    _ready(page)
    page.wait_for_function("document.querySelector('#transcript [aria-current=true]') !== null")
    assert "silk" in page.evaluate("document.querySelector('#transcript [aria-current=true]').parentNode.textContent")
    assert problems == []
    page.close()


AXE_PAGES = [("/", "show"), (f"/episodes/{SLUG}/", "episode")]


@pytest.mark.slow
def test_axe_finds_nothing_serious(sample, sample_url, browser):
    """axe-core (bundled with axe-playwright-python, run offline): no serious or critical
    violation on the show page and an episode page, desktop and phone, light and dark; dark
    and reduced motion change the page."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    for width, height, scheme, motion in ((1280, 900, "light", "no-preference"), (390, 844, "dark", "reduce")):
        page = _page(browser, viewport={"width": width, "height": height}, color_scheme=scheme, reduced_motion=motion)
        outside: list[str] = []  # axe runs offline: nothing but the local server is asked for anything

        def local_only(route, outside=outside):
            if route.request.url.startswith(sample_url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", local_only)
        for path, _ in AXE_PAGES:
            page.goto(sample_url + path + ("#t=61" if "episodes" in path else ""))
            if "episodes" in path:
                page.wait_for_function("document.querySelector('#transcript [aria-current]') !== null")
            result = axe.run(page)
            found += [
                (width, path, v["id"], v["impact"])
                for v in result.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert result.response["testEngine"]["name"] == "axe-core"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        behaviour = page.evaluate("getComputedStyle(document.documentElement).scrollBehavior")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light")
        assert behaviour == ("auto" if motion == "reduce" else "smooth")
        assert outside == []
        page.close()
    assert found == []
