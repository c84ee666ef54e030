"""configsettings: ``-C`` items as pypa/build reads them."""

from __future__ import annotations

from remap_backend_cli.configsettings import parse_config_settings


def test_config_settings_repeat_into_lists():
    assert parse_config_settings(["a=1", "b", "a=2", "a=3", "c=x=y"]) == {"a": ["1", "2", "3"], "b": "", "c": "x=y"}
