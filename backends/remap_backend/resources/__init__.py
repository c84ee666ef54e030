"""Data shipped with the proxy: ``schema.json``, the JSON schema of ``[tool.remap-backend]``.

``python -m remap_backend.resources`` writes it anew from :mod:`..settings`;
a test fails when it is out of date.
"""
