"""The `kg` command: each subcommand parses its options and calls a plain function.

Exit codes: 0 success, 1 the graph does not conform / the query failed, 2 bad input.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import KGError, ValidationError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Knowledge graph of Zhejiang's regional digital economy.")

CORPUS = Path("data/corpus")
GOLD = Path("data/gold")
BUILD = Path("build")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"kg: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def build(
    input: Path = typer.Option(CORPUS, "--input", "-i", help="Folder of UTF-8 .txt articles."),
    output: Path = typer.Option(BUILD, "--output", "-o", help="Folder for the graph files."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0,
                                         help="Leave out facts and figures below this confidence."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Extract documents in this many processes."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Re-extract every document."),
    viz: bool = typer.Option(True, "--viz/--no-viz", help="Also write the cluster map (graph.html)."),
) -> None:
    """Build the graph (Turtle, TriG, N-Quads) and the cluster map from a folder of articles."""
    from .pipeline import build as run_build

    try:
        result = run_build(input, output, min_confidence=min_confidence, workers=workers, use_cache=not no_cache)
    except ValidationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    except KGError as exc:
        _fail(str(exc))
    for problem in result.corpus.problems:
        typer.echo(f"skipped {problem}", err=True)
    if viz:
        from .store import open_store
        from .viz import write_map

        result.files["map"] = write_map(open_store(output), output / "graph.html")
    corpus = result.corpus
    typer.echo(f"built {len(corpus.documents)} documents ({len(corpus.problems)} skipped): "
               f"{len(corpus.entities)} entities, {result.facts} facts, {result.observations} figures, "
               f"{result.triples} triples; conforms to ontology/shapes.ttl")
    for kind, path in result.files.items():
        typer.echo(f"  {kind:<9} {path}")


@app.command()
def extract(
    folder: Path = typer.Argument(CORPUS, help="Folder of .txt articles."),
    out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write JSONL here instead of standard output."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0),
    workers: int = typer.Option(1, "--workers", "-w", min=1),
) -> None:
    """Extract entities, relations and figures as JSONL in the gold schema."""
    from .export import records, write_jsonl
    from .pipeline import extract as run_extract, write_atomic

    try:
        corpus = run_extract(folder, workers)
    except KGError as exc:
        _fail(str(exc))
    for problem in corpus.problems:
        typer.echo(f"skipped {problem}", err=True)
    items = records(corpus.resolved, corpus.entities, min_confidence)
    if out is None:
        write_jsonl(items, sys.stdout)
    else:
        write_atomic(out, "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items).encode("utf-8"))
        typer.echo(f"wrote {out}", err=True)


@app.command("eval")
def evaluate(
    gold: Path = typer.Option(GOLD, "--gold", help="Folder of gold .jsonl files."),
    corpus: Path = typer.Option(CORPUS, "--corpus", help="Folder of the articles the gold describes."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", "-p",
                                               help="Score this JSONL instead of extracting the corpus."),
    errors: bool = typer.Option(False, "--errors", help="List each miss and false hit, by document and cause."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Score the extraction against the gold standard (precision, recall, F1)."""
    from .evaluate import format_errors, format_report, read_folder, read_jsonl, score
    from .export import records
    from .pipeline import extract as run_extract

    try:
        gold_records = read_folder(gold)
        if predictions is not None:
            predicted = read_jsonl(predictions)
        else:
            extracted = run_extract(corpus)
            predicted = list(records(extracted.resolved, extracted.entities))
    except KGError as exc:
        _fail(str(exc))
    report = score(predicted, gold_records)
    if as_json:
        data = report.as_dict()
        if errors:
            data["errors"] = [{"doc": e.doc, "kind": e.kind, "side": e.side, "cause": e.cause, "record": e.record}
                              for e in report.errors]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if errors:
        typer.echo(format_errors(report))
        typer.echo("")
    typer.echo(format_report(report))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
