"""Channel-agnostic conversation flows and the engine that runs them (imports no channel library)."""
