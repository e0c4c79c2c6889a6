"""The domain: models and statuses, errors, the clock. Imports nothing but the standard library.

Everything behind the channel edges (services, storage) speaks in these types; the edges
(`handlers/`) turn them into Telegram's, and later WhatsApp's, shapes.
"""
