"""Search: the engine-neutral core (query language, analysis, spelling, snippets, the
search service and its result contract) and, under ``index.engines``, the engines that
implement ``index.engine.SearchEngine``. Nothing at this level imports an engine's library.
"""
