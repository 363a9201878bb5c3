"""The pages generated from the notebooks: results (recorded numbers beside d2l's) and glossary."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .project import course_data, notebooks_under

RESULTS_PAGE = "results.md"
GLOSSARY_PAGE = "glossary.md"
SEARCH_TERMS = "_ext/search_terms.txt"
CJK = re.compile(r"[\u4e00-\u9fff]+[\u4e00-\u9fffA-Za-z0-9+]*")
KEY_TERMS_HEADING = "## Key terms"


def _title(notebook: Any, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def results_page(paths: list[Path], root: Path) -> str:
    """The results page: every chapter's recorded numbers and time, beside d2l's."""
    import nbformat

    lines = [
        "# Results (结果)",
        "",
        "Every number on this page was measured by a chapter notebook and recorded in its",
        "metadata when `d2l-notebooks execute` ran it; this page is generated from those",
        "records (`d2l-notebooks pages`), and a test fails when it is out of date. The",
        "d2l column gives what the executed *Dive into Deep Learning* notebooks report",
        "(V100 GPU, unseeded), where the chapter repeats one of its experiments.",
        "",
        "| chapter | profile | wall time (s) | measured | d2l |",
        "|---|---|---|---|---|",
    ]
    machines: set[str] = set()
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        meta = notebook.metadata.get("d2l", {})
        machines.add(meta.get("machine", ""))
        reference = course_data()["d2l_reference"].get(path.stem, {})
        records = meta.get("records", {})
        measured = "<br>".join(f"`{k}` = {v:.4g}" for k, v in sorted(records.items())) or "-"
        d2l = "<br>".join(f"`{k}` = {v}" for k, v in reference.items()) or "-"
        link = path.relative_to(root).as_posix()
        lines.append(f"| [{_title(notebook, path.stem)}]({link}) | {meta.get('profile', 'not executed')} "
                     f"| {meta.get('wall_time_s', '-')} | {measured} | {d2l} |")
    machines.discard("")
    lines += ["", "Machines: " + "; ".join(sorted(machines)) + "." if machines else ""]
    lines += benchmark_sections(root)
    return "\n".join(lines).rstrip() + "\n"


def benchmark_sections(root: Path) -> list[str]:
    """Markdown for every benchmark result in ``benchmarks/results/*.json``, in name order.

    A result holds ``title``, ``command``, ``date``, ``machine``, ``settings`` and
    ``tables``: ``{table title: {contestant: {"min", "median", "max"}}}``.
    """
    import json

    lines: list[str] = []
    for path in sorted((root / "benchmarks" / "results").glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        settings = ", ".join(f"{k} {v}" for k, v in result.get("settings", {}).items())
        lines += ["", f"## Benchmark: {result['title']}", "",
                  f"`{result['command']}`, run on {result['date']} ({result['machine']}); {settings}.",
                  "Each contestant ran the given number of repeats, interleaved with the others."]
        for table, rows in result["tables"].items():
            lines += ["", f"| {table} | min | median | max |", "|---|---|---|---|"]
            lines += [f"| {name} | {r['min']:,.0f} | {r['median']:,.0f} | {r['max']:,.0f} |"
                      for name, r in rows.items()]
    return lines


def key_terms(notebook: Any) -> list[tuple[str, str]]:
    """The (Chinese, English) rows of the table under a notebook's ``## Key terms`` heading.

    The heading may start a markdown cell or stand inside one (after the summary,
    say); the table is the run of ``|`` lines that follows it.
    """
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        starts = [i for i, line in enumerate(lines) if line.strip().startswith(KEY_TERMS_HEADING)]
        if not starts:
            continue
        table: list[list[str]] = []
        for line in lines[starts[0] + 1:]:
            if line.strip().startswith("|"):
                table.append(line.strip().strip("|").split("|"))
            elif table or line.startswith("#"):
                break
        return [(zh.strip(), en.strip()) for zh, en, *_ in table[2:] if zh.strip()]
    return []


EXERCISES_HEADING = "## Exercises"
_EXERCISE = re.compile(r"^(\d+)\. ", re.M)
_SOLUTION = re.compile(r"\*\*Solution (\d+)\.\*\*")


def exercise_problems(notebook: Any) -> list[str]:
    """What is wrong with a notebook's exercises: each needs a worked solution after the list.

    The exercises are the numbered items under ``## Exercises`` (up to the next heading); each
    number N needs a ``**Solution N.**`` further on, before ``## Key terms``, and the code
    cells there are solutions, so they are collapsed on the website (tag ``hide-input``).
    An empty list means the chapter is complete (also when it has no exercises).
    """
    problems: list[str] = []
    numbers: list[str] = []
    solutions: list[str] = []
    inside = False
    for index, cell in enumerate(notebook.cells):
        source = cell.source
        if cell.cell_type == "markdown":
            if not inside and EXERCISES_HEADING in source:
                inside = True
                source = source.split(EXERCISES_HEADING, 1)[1]
                listing = re.split(r"^#|^\*\*Solution", source, maxsplit=1, flags=re.M)[0]
                numbers = _EXERCISE.findall(listing)
            if inside:
                solutions += _SOLUTION.findall(source.split(KEY_TERMS_HEADING, 1)[0])
                if KEY_TERMS_HEADING in source:
                    break
        elif inside and "hide-input" not in cell.metadata.get("tags", []):
            problems.append(f"cell {index}: a solution's code cell is not tagged hide-input")
    for number in numbers:
        if number not in solutions:
            problems.append(f"exercise {number} has no worked solution (**Solution {number}.**)")
    problems += [f"**Solution {n}.** answers no exercise" for n in solutions if n not in numbers]
    return problems


def _glossary_entries(paths: list[Path], root: Path) -> dict[tuple[str, str], list[str]]:
    import nbformat

    entries: dict[tuple[str, str], list[str]] = {
        tuple(pair): ["introduction"] for pair in course_data()["intro_terms"]}
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        link = f"[{path.stem.split('_')[0].lstrip('0')}]({path.relative_to(root).as_posix()})"
        for pair in key_terms(notebook):
            entries.setdefault(pair, []).append(link)
    return entries


def glossary_page(paths: list[Path], root: Path) -> str:
    """The glossary: every chapter's key terms, zh beside en, with the chapters using them."""
    entries = _glossary_entries(paths, root)
    lines = [
        "# Glossary (术语表)",
        "",
        "The Chinese terms of the notes and the English ones used in this book, gathered",
        "from the *Key terms* table at the end of each chapter (`d2l-notebooks pages`",
        "regenerates this page), in the order the chapters introduce them.",
        "",
        "| 中文 | English | chapters |",
        "|---|---|---|",
    ]
    lines += [f"| {zh} | {en} | {', '.join(where)} |" for (zh, en), where in entries.items()]
    return "\n".join(lines) + "\n"


def search_terms(paths: list[Path], root: Path) -> str:
    """A jieba user dictionary of the glossary's Chinese terms, one ``word frequency`` a line.

    Sphinx's Chinese search splits the text with jieba, which cuts terms it does
    not know (丢弃法 becomes 丢弃 + 法, so a search for 丢弃法 finds nothing).
    Teaching it the book's own terms makes each one a search word; their
    two-character pieces are added with a low frequency, so that a search for
    池化 also finds 池化层 without changing how jieba cuts other text.
    """
    words = {word for (zh, _) in _glossary_entries(paths, root) for word in CJK.findall(zh)}
    pieces = {word[i:i + 2] for word in words for i in range(len(word) - 1)
              if CJK.fullmatch(word[i:i + 2])} - words
    return "".join(f"{word} {100000 if word in words else 1}\n" for word in sorted(words | pieces))


GENERATED = ((RESULTS_PAGE, results_page), (GLOSSARY_PAGE, glossary_page), (SEARCH_TERMS, search_terms))


def write_generated_pages(root: Path) -> list[Path]:
    """Regenerate ``results.md``, ``glossary.md`` and the search terms from the chapter notebooks."""
    paths = notebooks_under(None, root)
    written = []
    for name, render in GENERATED:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(paths, root))
        written.append(target)
    return written
