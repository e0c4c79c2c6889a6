"""The Telegram edge (python-telegram-bot): handlers, views, callbacks, menus, pacing, delivery."""
