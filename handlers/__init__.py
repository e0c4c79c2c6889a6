"""The Telegram edge: read the update, call one service, render, reply."""
