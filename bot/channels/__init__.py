"""Channel adapters: each turns its updates into flows.engine.messages.Incoming and renders Replies."""
