"""The multi-territory working directory: slugs, what it records, what readers' --territory picks."""

from __future__ import annotations

import json

import pytest

from radar.config import ConfigError, Workdir, load_territory
from radar.territories import (
    check_slugs,
    choose_territory,
    iter_territory_files,
    record_territories,
    recorded_territories,
    territory_file,
)
from tests.territories import SPECS, territory_text, write_territories


@pytest.fixture
def files(tmp_path):
    return write_territories(tmp_path / "territories", SPECS)


def test_slugs_must_name_distinct_folders(tmp_path, files):
    check_slugs([load_territory(f) for f in files.values()])
    twin = tmp_path / "twin.toml"
    twin.write_text(territory_text("west", "Other west", ["92048"]))
    with pytest.raises(ConfigError, match="have the same slug 'west'"):
        check_slugs([load_territory(files["west"]), load_territory(twin)])
    for slug in ("../up", "Upper", "a b", ".hidden"):
        bad = tmp_path / "bad.toml"
        bad.write_text(territory_text(slug, "Bad", ["92048"]))
        with pytest.raises(ConfigError, match="cannot name a folder"):
            check_slugs([load_territory(bad)])
    unnamed = tmp_path / "unnamed.toml"
    unnamed.write_text(territory_text("x", "Unnamed", ["92048"]).replace('slug = "x"\n', ""))
    with pytest.raises(ConfigError, match="missing key 'slug'"):
        check_slugs([load_territory(unnamed)])


def test_a_folder_of_territory_files(tmp_path, files):
    assert [p.name for p in iter_territory_files(tmp_path / "territories")] == ["issy.toml", "paris.toml", "west.toml"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no territory file"):
        list(iter_territory_files(tmp_path / "empty"))


def test_recorded_territories_and_their_shared_cache(tmp_path, files):
    root = tmp_path / "wd"
    record_territories(root, [load_territory(files["west"]), load_territory(files["paris"])])
    record_territories(root, [load_territory(files["issy"])])  # a later run adds to what it holds
    assert recorded_territories(root) == {"issy": "Issy", "paris": "Paris", "west": "West"}
    assert load_territory(territory_file(root, "issy")).commune_codes == ["92040"]
    assert Workdir(root / "west").cache == root / "cache"  # the national files hashed once for all
    assert Workdir(root).cache == root / "cache" and Workdir(tmp_path / "x").cache == tmp_path / "x" / "cache"
    assert json.loads((root / "territories.json").read_text())["territories"]["west"] == "West"


def test_a_single_territory_working_directory_is_not_turned_into_a_multi_territory_one(tmp_path, files):
    root = tmp_path / "single"
    Workdir(root).warehouse.parent.mkdir(parents=True)
    Workdir(root).warehouse.write_bytes(b"")
    with pytest.raises(ConfigError, match="is a single-territory working directory"):
        record_territories(root, [load_territory(files["west"])])
    assert recorded_territories(root) == {}


def test_a_reader_picks_a_territory_by_slug_or_file(tmp_path, files):
    root = tmp_path / "wd"
    record_territories(root, [load_territory(f) for f in files.values()])
    assert choose_territory(root, "paris") == "paris"
    assert choose_territory(root, str(files["issy"])) == "issy"
    with pytest.raises(ConfigError, match=r"holds 3 territories \(issy, paris, west\): pick one"):
        choose_territory(root, None)
    with pytest.raises(ConfigError, match=r"no territory 'lyon' in .* \(it holds: issy, paris, west\)"):
        choose_territory(root, "lyon")
