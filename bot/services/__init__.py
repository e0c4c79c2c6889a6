"""Services: the domain, in plain async code that knows nothing of Telegram."""
