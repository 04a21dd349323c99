"""kg: a knowledge graph of Zhejiang's regional digital economy.

For notebooks and other Python code (each view is a pandas DataFrame)::

    import kg
    store = kg.open_store("build")                  # the graph `kg build` wrote
    kg.chain(store, "集成电路", city="绍兴")         # segments, companies, quotes (view="gaps" …)
    kg.place(store, "金华")                          # its chains and segments (view="leaders" …)
    kg.compare(store, ["金华", "台州"])              # places side by side
    kg.figures(store, "金华")                        # indicators over the years, actual and target
    kg.query_df(store, "SELECT …")                   # any SPARQL SELECT
"""
from .api import chain, compare, figures, place, query_df, use_cjk_font
from .build.pipeline import build, extract
from .serve.query import format_result, named_queries, run_named
from .serve.store import open_store

__all__ = ["build", "chain", "compare", "extract", "figures", "format_result", "named_queries", "open_store",
           "place", "query_df", "run_named", "use_cjk_font"]
__version__ = "0.1.0"
