"""Errors raised by kg. Every one derives from KGError, so callers can catch them all."""
from __future__ import annotations


class KGError(Exception):
    """Root of kg's errors."""


class EmptyCorpusError(KGError):
    """No document of the input folder could be read: building would replace the graph
    with an empty one."""

    def __init__(self, folder, problems, out_dir) -> None:
        found = f"{len(problems)} files skipped" if problems else "no .txt files"
        super().__init__(f"no document to build from in {folder} ({found}); the graph in {out_dir} was left as "
                         "it was (--allow-empty builds an empty graph)")
        self.problems = problems


class GraphNotBuiltError(KGError):
    def __init__(self, path: str) -> None:
        super().__init__(f"no built graph at {path}: run `kg build` first")


class ValidationError(KGError):
    """The graph does not conform to the SHACL shapes."""

    def __init__(self, report: str) -> None:
        super().__init__("the graph does not conform to ontology/shapes.ttl:\n" + report)
        self.report = report


class QuerySyntaxError(KGError):
    """A SPARQL query that does not parse; line and column are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"SPARQL syntax error{where}: {message}")
        self.line, self.column, self.detail = line, column, message


class QueryFailedError(KGError):
    """A query that parses but that the engine could not evaluate."""


class QueryLimitError(KGError):
    """A query ran past its time or result-size limit."""


class UnknownQueryError(KGError):
    pass


class UnknownNameError(KGError):
    """A name or IRI given as a parameter that the graph does not hold."""


class UnknownIndustryError(UnknownNameError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = f"; closest known industries: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown industry {name!r}{hint}")
        self.name, self.suggestions = name, suggestions


class EndpointError(KGError):
    """An external SPARQL / Graph Store endpoint refused or failed a request."""


class MissingDependencyError(KGError):
    def __init__(self, module: str, package: str) -> None:
        super().__init__(f"{module} is not installed: pip install {package}")


class QueryRefusedError(KGError):
    """A query (or a request's parameter) that would reach outside the graph or write to it;
    line and column (1-based) point at the offending token when there is one."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"query refused{where}: {message}")
        self.line, self.column, self.detail = line, column, message
