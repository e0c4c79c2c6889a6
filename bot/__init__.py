"""Dodolan: a Telegram assistant for the UKM coaching programme of Kota Malang."""
