from ._z import crc32, where
