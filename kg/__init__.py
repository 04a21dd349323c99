"""kg: a knowledge graph of Zhejiang's regional digital economy.

For notebooks and other Python code::

    import kg
    store = kg.open_store("build")                  # the graph `kg build` wrote
    kg.chain(store, "智能光伏").leaders             # who leads the chain, with quotes
    kg.run_named(store, "city-figures", {"city": "金华"})
"""
from .serve.chain import Chain, chain, format_chain
from .build.pipeline import build, extract
from .serve.query import format_result, named_queries, run_named
from .serve.store import open_store

__all__ = ["Chain", "build", "chain", "extract", "format_chain", "format_result", "named_queries", "open_store",
           "run_named"]
__version__ = "0.1.0"
