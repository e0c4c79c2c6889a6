"""Local, strict WhatsApp Cloud API emulator for end-to-end bot tests (see README.md)."""

from simulator.whatsapp.emulator import WhatsAppEmulator
from simulator.whatsapp.errors import GraphError
from simulator.whatsapp.pacing import Limits
from simulator.whatsapp.people import WhatsAppPerson
from simulator.whatsapp.snapshot import Button, Row, Section, WaMessage
from simulator.whatsapp.webhooks import Delivery, sign

__all__ = [
    "Button",
    "Delivery",
    "GraphError",
    "Limits",
    "Row",
    "Section",
    "WaMessage",
    "WhatsAppEmulator",
    "WhatsAppPerson",
    "sign",
]
