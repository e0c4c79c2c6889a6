"""Meta's OpenAPI description (MIT) and the schemas extracted from it."""
