"""Officials' tools in chat (/canbo) and the import of the cooperative list."""
