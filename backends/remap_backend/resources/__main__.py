"""``python -m remap_backend.resources``: write schema.json from the settings model."""

from ..atomic import atomic_write_bytes
from ..settings import SCHEMA_PATH, schema_text

atomic_write_bytes(SCHEMA_PATH, schema_text().encode())
print(f"wrote {SCHEMA_PATH}")
