"""Every chapter keeps the template (CONTRIBUTING.md): checked on the stored notebooks.

Strict nbval (run on book/*.ipynb by the same `make test`) proves that the stored outputs are
what the code produces; these tests check the shape of each chapter: the set-up cell, the
order of execution, figures with captions and alt text, exercises with solutions, and
references.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT, chapters
from lossbook import book

CHAPTERS = [p for p in chapters() if p.stem not in ("errata",)]


def _config_repository_url() -> str:
    match = re.search(
        r"^repository:\s*\n\s+url:\s*(\S+)", (ROOT / "_config.yml").read_text(), re.MULTILINE
    )
    assert match, "_config.yml has no repository url"
    return match.group(1)


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def _markdown(nb) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_there_are_chapters():
    assert CHAPTERS, "no chapter notebooks under book/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_setup_cell_comes_first_and_installs_from_the_configured_repository(path):
    first = "".join(_code_cells(_load(path))[0]["source"])
    assert "from lossbook import book" in first  # the toolkit, apart from the losses
    assert re.search(r"\bbook\.setup\(", first)
    url = _config_repository_url()
    assert '"google.colab" in sys.modules' in first, "the Colab guard is missing"
    assert f"git+{url}" in first, f"the Colab install must use the repository URL {url}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_nothing_else_seeds_or_styles_by_hand(path):
    for cell in _code_cells(_load(path))[1:]:
        source = "".join(cell["source"])
        for forbidden in (
            "np.random.seed(",
            "torch.manual_seed(",
            "random.seed(",
            "plt.style.use(",
            "rcParams",
        ):
            assert forbidden not in source, f"{forbidden} outside book.setup(): {source[:80]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_executed_top_to_bottom_in_one_kernel(path):
    cells = _code_cells(_load(path))
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), f"execution counts {counts}"
    for cell in cells:
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        if errors:
            assert "raises-exception" in cell["metadata"].get("tags", []), (
                f"an error output in a cell not tagged raises-exception: {errors[0]['ename']}"
            )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_figure_has_a_caption_and_alt_text(path):
    figures = 0
    for cell in _code_cells(_load(path)):
        if not any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            continue
        figures += 1
        meta = cell["metadata"].get("mystnb", {})
        caption = meta.get("figure", {}).get("caption", "")
        assert caption.strip(), f"a figure without a caption: {''.join(cell['source'])[:80]}"
        assert meta.get("image", {}).get("alt", "").strip(), f"no alt text: {caption[:60]}"
    assert figures >= 4, f"{figures} figures; every chapter has at least four"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_have_solutions_and_the_chapter_cites(path):
    text = _markdown(_load(path))
    exercises = re.findall(r":::\{exercise\}\s*\n:label:\s*(\S+)", text)
    solutions = re.findall(r"```\{solution-start\}\s*(\S+)", text)
    assert len(exercises) >= 3, f"{len(exercises)} exercises; at least three"
    assert sorted(exercises) == sorted(solutions), "every exercise needs exactly one solution"
    assert text.count("{solution-end}") == len(solutions)
    assert "{cite}" in text, "the chapter cites no reference"
    assert "```{bibliography}" in text


@pytest.mark.parametrize("path", sorted(chapters()), ids=lambda p: p.stem)
def test_code_fits_the_page(path):
    """The book's code boxes show 79 characters; longer lines scroll sideways."""
    long = [
        line
        for cell in _code_cells(_load(path))
        for line in "".join(cell["source"]).splitlines()
        if len(line) > 79
    ]
    assert long == [], f"{len(long)} code lines over 79 characters, e.g. {long[0]!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_objectives_summary_and_exercises_sections(path):
    text = _markdown(_load(path))
    assert "Learning objectives" in text
    for heading in ("## Summary", "## Exercises", "## References"):
        assert heading in text, f"missing section {heading!r}"


# The cell pattern (CONTRIBUTING.md, "Teaching cells and checking cells"): visible code is
# teaching code. Glue calls and the asserts that are not the lesson sit in cells tagged
# hide-input (collapsed, still executed and compared by strict nbval).
COLLAPSED_TAGS = {"hide-input", "remove-input", "hide-cell", "remove-cell"}
VISIBLE_ASSERTS_AT_MOST = 6
ASSERT_LINE = re.compile(r"^\s*(assert\b|np\.testing\.assert_|torch\.testing\.assert_)", re.M)


def _visible_code(nb) -> list[str]:
    return [
        "".join(c["source"])
        for c in _code_cells(nb)
        if not COLLAPSED_TAGS & set(c.get("metadata", {}).get("tags", []))
    ]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_visible_code_is_teaching_code(path):
    visible = _visible_code(_load(path))
    glued = [src.splitlines()[0] for src in visible if re.search(r"\bglue\(", src)]
    assert glued == [], f"visible cells call glue (tag them hide-input): {glued}"
    asserts = sum(len(ASSERT_LINE.findall(src)) for src in visible)
    assert asserts <= VISIBLE_ASSERTS_AT_MOST, (
        f"{asserts} asserts in visible cells; at most {VISIBLE_ASSERTS_AT_MOST} that are the "
        "lesson stay visible, the rest go in hide-input cells"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_names_the_source_articles_at_most_in_passing(path):
    """What belongs to one source article lives in the errata appendix."""
    text = "\n".join("".join(c["source"]) for c in _load(path)["cells"])
    mentions = len(re.findall(r"\barticles?\b", text, re.I))
    assert mentions <= 2, f"'article' appears {mentions} times; the errata appendix holds it"


GLUE_REFERENCE = re.compile(r"\{glue:text\}`([^`:]+)(?::([^`]*))?`")
GLUE_MIME = "application/papermill.record/text/plain"


def _glued(nb) -> dict[str, str]:
    """Glue name -> the stored text of its value."""
    found = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None:
                found[name] = "".join(out["data"].get(GLUE_MIME, ""))
    return found


@pytest.mark.parametrize("path", chapters(), ids=lambda p: p.stem)
def test_glued_floats_hold_only_the_digits_the_prose_shows(path):
    """A float quoted as {glue:text}`name:.3f` is stored rounded to .3f.

    The stored value is what strict nbval compares with a fresh run, on every machine of the
    CPU-path matrix; digits beyond those a reader sees would only be roundoff that differs
    from CPU to CPU (CONTRIBUTING.md: numbers that survive another machine). A name quoted
    in several formats is stored at the finest of them.
    """
    nb = _load(path)
    formats: dict[str, set[str]] = {}
    for text in [_markdown(nb)] + [
        p.read_text(encoding="utf-8") for p in (ROOT / "book").glob("*.md")
    ]:
        for name, fmt in GLUE_REFERENCE.findall(text):
            formats.setdefault(name, set()).add(fmt)
    offenders = []
    for name, stored in _glued(nb).items():
        try:
            value = float(stored)
        except ValueError:
            continue  # a string, an array, a figure
        if "." not in stored and "e" not in stored and "inf" not in stored:
            continue  # an int
        if "" in formats.get(name, ()):
            continue  # quoted without a format: the prose shows the stored text whole
        shown = [f for f in formats.get(name, ()) if f and not f.endswith("d")]
        if not shown:
            offenders.append(f"{name} = {stored}: a float no sentence quotes with a format")
            continue
        if not any(book.shown(value, f) == value for f in shown):
            offenders.append(f"{name} = {stored}, quoted as {sorted(shown)}")
    assert not offenders, "pass the prose's format to glue(name, value, fmt):\n" + "\n".join(
        offenders
    )
