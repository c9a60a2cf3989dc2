"""Channel adapters: each turns its updates into flows.messages.Incoming and renders Replies."""
