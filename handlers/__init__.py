"""The channel edges: one package per channel (Telegram today, WhatsApp next)."""
