"""The Whoosh engine: a Whoosh index in the data directory, kept equal to the archive and
searched through whoosh-reloaded. Every access to Whoosh's private attributes is in
``internals``; everything else here uses Whoosh's public API."""
