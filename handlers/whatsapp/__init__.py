"""The WhatsApp Cloud API edge: webhook in (verified, into an inbox), Graph API sends out."""
