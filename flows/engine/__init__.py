"""The conversation machine: flow vocabulary, input kinds, content rendering, the store and the engine; it knows no feature."""
