"""One scan of the national files for many territories: each territory gets what a scan for it alone keeps, and
each national file is read once, not once per territory."""

from __future__ import annotations

import duckdb
import pytest

from demo.generator import write_scale_stock
from extractors.sirene_national import Selection, scan_territories
from extractors.sirene_stock import describe_stock, scan_territory
from tests.builders import etab_row, siren, siret, ul_row, write_stock

P, Q, R, X, Y = siren(101), siren(102), siren(103), siren(104), siren(105)

# Overlapping territories: west and issy share Issy (92040); issy excludes P, which west follows; paris follows
# P's and Q's Paris establishments; nowhere has nobody.
SELECTIONS = {
    "west": Selection(("92040", "92012"), (X,)),
    "issy": Selection(("92040",), (P, X)),
    "paris": Selection(("75056",)),
    "nowhere": Selection(("01001",)),
}


@pytest.fixture(scope="module")
def stock(tmp_path_factory):
    etabs = [
        etab_row(siret(P, 1), commune="75056", state="F", head=False),
        etab_row(siret(P, 2), commune="92040"),
        etab_row(siret(P, 3), commune="", head=False),
        etab_row(siret(Q, 1), commune="75056"),
        etab_row(siret(R, 1), commune="92012"),
        etab_row(siret(X, 1), commune="92040"),
        etab_row(siret(Y, 1), commune="69123"),
    ]
    units = [ul_row(s) for s in (P, Q, R, X, Y)]
    root = tmp_path_factory.mktemp("stock")
    return {fmt: write_stock(root / fmt, etabs, units, fmt=fmt) for fmt in ("csv", "parquet")}


def files(paths):
    return [describe_stock(p, kind) for p, kind in zip(paths, ("etablissements", "unites_legales"))]


def rows_of(result) -> dict:
    con = duckdb.connect()
    got = {kind: sorted(con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall())
           for kind, path in (("etab", result.etablissements_path), ("ul", result.unites_legales_path))}
    assert (result.etablissements_rows, result.unites_legales_rows) == (len(got["etab"]), len(got["ul"]))
    return got


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_each_territory_gets_what_its_own_scan_keeps(tmp_path, stock, fmt):
    etab, ul = files(stock[fmt])
    together = scan_territories(etab, ul, tmp_path / "all", SELECTIONS, scratch_dir=tmp_path / "scratch")
    assert set(together) == set(SELECTIONS)
    for slug, selection in SELECTIONS.items():
        alone = scan_territory(etab, ul, tmp_path / "alone" / slug, commune_codes=list(selection.commune_codes),
                               excluded_sirens=list(selection.excluded_sirens), scratch_dir=tmp_path / "scratch")
        assert rows_of(together[slug]) == rows_of(alone), slug
        assert together[slug].etablissements_path == tmp_path / "all" / slug / "etablissements.parquet"
    kept = {slug: {row[0] for row in rows_of(r)["ul"]} for slug, r in together.items()}
    assert kept == {"west": {P, R}, "issy": set(), "paris": {P, Q}, "nowhere": set()}
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(SELECTIONS)  # no leftovers


def rchar() -> int:
    """Bytes this process has read through read(2) and pread(2) so far, page cache or not."""
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("rchar:"))


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A generated national stock of 300,000 establishments: 0.2 % in the 8 GPSO communes, the rest over 93
    departments of 600 made-up communes each."""
    out = write_scale_stock(tmp_path_factory.mktemp("national"), 300_000, fmt="parquet")
    return files((out["etablissements"], out["unites_legales"]))


def departments(n: int) -> dict[str, Selection]:
    """n territories of 45 communes, each in a department of its own."""
    return {f"dep-{d:02d}": Selection(tuple(f"{d:02d}{c:03d}" for c in range(1, 46))) for d in range(1, n + 1)}


def test_each_national_file_is_read_once_not_once_per_territory(tmp_path, national):
    etab, ul = national
    national_bytes = etab.size + ul.size
    one = departments(1)
    before = rchar()
    scan_territory(etab, ul, tmp_path / "alone", commune_codes=list(one["dep-01"].commune_codes),
                   excluded_sirens=[], scratch_dir=tmp_path / "scratch")
    alone = rchar() - before
    before = rchar()
    many = scan_territories(etab, ul, tmp_path / "many", departments(12), scratch_dir=tmp_path / "scratch")
    together = rchar() - before
    assert alone >= national_bytes * 0.9  # the measure sees the national files being read
    # Twelve territories read about what one does (the split reads their small union), far from twelve scans.
    assert together < alone * 1.5, (alone, together)
    assert sum(r.etablissements_rows for r in many.values()) > 12 * 100


def every_epci(n: int = 1250, per: int = 40) -> dict[str, Selection]:
    """France's ~1,250 EPCIs over the generated stock's 93 departments: `per` consecutive communes each; every
    100th also takes its neighbour's first commune (overlap)."""
    deps = [f"{d:02d}" for d in range(1, 96) if d not in (20, 92)]
    out = {}
    for i in range(n):
        dep, block = deps[i % len(deps)], i // len(deps)
        communes = [f"{dep}{c:03d}" for c in range(1 + block * per, 1 + (block + 1) * per)]
        if i % 100 == 0:
            communes.append(f"{dep}{1 + (block + 1) * per:03d}")
        out[f"epci-{i:04d}"] = Selection(tuple(communes))
    return out


def test_all_epcis_of_france_split_from_one_union(tmp_path, national):
    """1,250 territories: more partitions than DuckDB keeps files open for, so most territories' rows come in
    several files that are gathered into one. Every territory gets exactly the rows its own rule keeps."""
    etab, ul = national
    selections = every_epci()
    con = duckdb.connect()
    for slug in list(selections)[::100]:  # these also exclude a company of theirs
        codes = selections[slug].commune_codes
        excluded = con.execute(f"SELECT min(siren) FROM read_parquet('{etab.path}') WHERE codeCommuneEtablissement "
                               f"IN ({', '.join(repr(c) for c in codes)})").fetchone()[0]
        selections[slug] = Selection(codes, (excluded,))
    together = scan_territories(etab, ul, tmp_path / "all", selections, scratch_dir=tmp_path / "scratch")
    assert set(together) == set(selections)
    con.execute("CREATE TABLE communes (slug VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO communes VALUES (?, ?)",
                    [(slug, c) for slug, s in selections.items() for c in s.commune_codes])
    con.execute("CREATE TABLE excluded (slug VARCHAR, siren VARCHAR)")
    con.executemany("INSERT INTO excluded VALUES (?, ?)",
                    [(slug, x) for slug, s in selections.items() for x in s.excluded_sirens])
    # The rule written out once more over the national files, against what the split wrote.
    con.execute(f"""CREATE TABLE followed AS SELECT DISTINCT c.slug, e.siren
                    FROM read_parquet('{etab.path}') e JOIN communes c ON e.codeCommuneEtablissement = c.code
                    WHERE e.siren IS NOT NULL AND (c.slug, e.siren) NOT IN (SELECT slug, siren FROM excluded)""")
    for kind, source in (("etablissements", etab.path), ("unites_legales", ul.path)):
        key = "siret" if kind == "etablissements" else "siren"
        expected = dict(con.execute(f"""SELECT f.slug, count(*) || ':' || sum(hash(s.{key}))
            FROM read_parquet('{source}') s JOIN followed f USING (siren) GROUP BY f.slug""").fetchall())
        got = dict(con.execute(f"""SELECT split_part(filename, '/', -2), count(*) || ':' || sum(hash({key}))
            FROM read_parquet('{tmp_path}/all/*/{kind}.parquet', filename = true) GROUP BY 1""").fetchall())
        assert got == expected, kind
        rows = {slug: (r.etablissements_rows if kind == "etablissements" else r.unites_legales_rows)
                for slug, r in together.items()}
        assert {s: int(v.split(":")[0]) for s, v in got.items()} == {s: n for s, n in rows.items() if n}
    assert sum(r.etablissements_rows for r in together.values()) > 200_000  # most of France is some EPCI's
    for slug in ("epci-0000", "epci-0617", "epci-1249"):  # one overlapping and excluding, two plain ones
        alone = scan_territory(etab, ul, tmp_path / "alone" / slug, commune_codes=list(selections[slug].commune_codes),
                               excluded_sirens=list(selections[slug].excluded_sirens), scratch_dir=tmp_path / "scratch")
        assert rows_of(together[slug]) == rows_of(alone), slug
