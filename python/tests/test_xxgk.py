"""The Python package against the real reports in fixtures/ and against the CLI's exports."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import xxgk

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "000_500855b189a022d6.txt"


def xxgk_binary() -> str:
    """The CLI, to compare with: $XXGK_BIN, or the one cargo built."""
    for candidate in [os.environ.get("XXGK_BIN"), ROOT / "target/debug/xxgk", ROOT / "target/release/xxgk"]:
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.fail("no xxgk binary: run `cargo build` or set XXGK_BIN")


def test_the_seed_reads_as_the_manifest_says():
    report = xxgk.parse(SEED)
    assert report["schema_version"] == xxgk.SCHEMA_VERSION
    assert (report["agency"], report["year"], report["template"]) == ("宜春市统计局", 2020, "2019")
    values = {c["key"]: c["value"] for c in report["cells"]}
    assert values["applications.new_received.total"] == 12
    assert values["active.procurement.amount_yuan"] == 486690
    assert isinstance(values["applications.new_received.total"], int)
    assert len(report["sections"]) == 6
    disclosure = report["indicators"][0]
    assert (disclosure["name"], disclosure["numerator"], disclosure["denominator"]) == ("disclosure_rate", 10, 12)
    assert not any(c["outcome"] == "failed" for c in report["checks"])


def test_a_path_bytes_and_a_file_object_give_the_same_record():
    by_path = xxgk.parse(str(SEED))
    assert xxgk.parse(SEED.read_bytes()) == by_path
    with open(SEED, "rb") as handle:
        assert xxgk.parse(handle) == by_path
    gbk = SEED.read_text(encoding="utf-8").encode("gb18030")
    assert xxgk.parse(gbk)["cells"] == by_path["cells"]
    with pytest.raises(TypeError):
        with open(SEED, encoding="utf-8") as text:
            xxgk.parse(text)


def test_decimals_stay_exact():
    cells = xxgk.cells(FIXTURES, jobs=2)
    numbers = cells[cells.status == "number"]
    assert all(isinstance(v, Decimal) for v in numbers.value)
    fractional = [v for v in numbers.value if v != v.to_integral_value()]
    assert fractional, "the corpus has 万元 amounts with decimals"
    assert all(v.as_tuple().exponent < 0 for v in fractional)
    assert cells[cells.status != "number"].value.isna().all(), "a blank is not a zero"


def test_garbage_and_refused_inputs_raise_the_cli_errors():
    with pytest.raises(xxgk.NotAReport) as not_a_report:
        xxgk.parse("一段与政府信息公开无关的文字。".encode() * 10)
    assert "not a government information disclosure annual report" in str(not_a_report.value)
    with pytest.raises(xxgk.Empty):
        xxgk.parse(b"   \n")
    with pytest.raises(xxgk.BinaryInput):
        xxgk.parse(bytes(range(256)) * 8)
    with pytest.raises(xxgk.Unsupported) as doc:
        xxgk.parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    assert ".doc" in str(doc.value)
    with pytest.raises(xxgk.Unsupported):
        xxgk.parse(FIXTURES / "encrypted-user-password.pdf")
    with pytest.raises(xxgk.ReadError):
        xxgk.parse(FIXTURES / "no-such-file.txt")
    with pytest.raises(ValueError):
        xxgk.parse(SEED, format="rtf")
    assert issubclass(xxgk.NotAReport, xxgk.Error) and issubclass(xxgk.Error, Exception)


def test_reports_account_for_every_file():
    files = xxgk.files_under(FIXTURES)
    reports = xxgk.reports(FIXTURES)
    assert list(reports.file) == files
    failed = reports[reports.status == "failed"]
    assert len(failed) > 0 and failed.error.notna().all() and failed.message.notna().all()
    read = reports[reports.status != "failed"]
    assert read.error.isna().all()
    seed = reports[reports.file == str(SEED)].iloc[0]
    assert (seed.cells_found, seed.cells_expected, seed.failed_rules) == (198, 198, "")
    assert seed.disclosure_rate == pytest.approx(10 / 12)
    assert seed.review_correction_rate is None or pd.isna(seed.review_correction_rate)


def test_one_job_and_two_give_the_same_cells():
    one = xxgk.cells(FIXTURES, jobs=1)
    two = xxgk.cells(FIXTURES, jobs=2)
    pd.testing.assert_frame_equal(one, two)


def test_cells_equal_the_cli_csv_long_export(tmp_path):
    binary = xxgk_binary()
    db = tmp_path / "db.sqlite"
    subprocess.run([binary, "import", str(FIXTURES), "--db", str(db), "-q"], check=True, capture_output=True)
    exported = subprocess.run(
        [binary, "export", "--db", str(db), "-f", "csv-long"], check=True, capture_output=True
    ).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    cells = xxgk.cells([str(FIXTURES.resolve())])
    by_cell = {(r.file, r.key): r for r in cells.itertuples(index=False)}
    unguard = lambda text: text[1:] if text.startswith("'") else text
    assert len(rows) > 4000
    for row in rows:
        cell = by_cell[(row["path"], row["key"])]
        assert cell.status == row["status"], row
        assert cell.value == (Decimal(row["value"]) if row["value"] else None), row
        assert (cell.raw or "") == unguard(row["raw"]), row
        assert cell.unit == row["unit"]
        assert ("" if pd.isna(cell.line) else str(cell.line)) == row["line"], row
        assert ("" if pd.isna(cell.column) else str(cell.column)) == row["column"], row
        assert "|".join(str(c) for c in cell.candidates) == row["candidates"], row
        assert (cell.evidence or "") == row["evidence"]
        assert ("" if pd.isna(cell.page) else str(cell.page)) == row["page"]
        box = "" if cell.box is None else " ".join(format(v, "g") if v != int(v) else str(int(v)) for v in cell.box)
        assert box == row["box"] or [float(v) for v in row["box"].split()] == list(cell.box), row
    # Files the export does not name hold the same bytes as one it does (one report for both).
    exported_files = {r["path"] for r in rows}
    for file in set(cells.file) - exported_files:
        content = Path(file).read_bytes()
        assert any(Path(other).read_bytes() == content for other in exported_files), file


def test_read_database(tmp_path):
    binary = xxgk_binary()
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ["000_500855b189a022d6.txt", "pingtan-2024.html", "pingtan-2024.txt"]:
        shutil.copy(FIXTURES / name, tree / name)
    db = tmp_path / "db.sqlite"
    subprocess.run([binary, "import", str(tree), "--db", str(db), "-q"], check=True, capture_output=True)
    tables = xxgk.read_database(db)
    assert len(tables["files"]) == 3
    assert len(tables["reports"]) == 3
    assert tables["reports"].copy_of.notna().sum() == 1, "the page and its crawl are one report"
    seed = tables["report_indicators"].merge(tables["reports"], left_on="report_id", right_on="id")
    seed = seed[seed.agency == "宜春市统计局"].iloc[0]
    assert seed.disclosure_rate == pytest.approx(10 / 12)
    cells = tables["cells"]
    assert len(cells[cells.key == "applications.new_received.total"]) == 3


def test_the_dask_example_on_a_two_worker_cluster_matches_one_process(tmp_path):
    distributed = pytest.importorskip("distributed")
    pq = pytest.importorskip("pyarrow.parquet")
    sys.path.insert(0, str(ROOT / "python" / "examples"))
    import dask_import

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        files = dask_import.run(str(FIXTURES), str(tmp_path), client)
    expected_files, expected_cells = xxgk.tables(FIXTURES, jobs=1)
    assert sorted(files.file) == sorted(expected_files.file)
    assert dict(zip(files.file, files.status)) == dict(zip(expected_files.file, expected_files.status))
    written = pq.read_table(tmp_path / "files.parquet").to_pandas()
    assert len(written) == len(expected_files)
    parts = sorted((tmp_path / "cells").glob("part-*.parquet"))
    assert len(parts) > 1
    cells = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    key = ["file", "key"]
    cells = cells.sort_values(key).reset_index(drop=True)
    expected_cells = expected_cells.sort_values(key).reset_index(drop=True)
    assert len(cells) == len(expected_cells)
    for column in ["file", "key", "status", "raw", "unit"]:
        assert list(cells[column].fillna("")) == list(expected_cells[column].fillna("")), column
    for got, want in zip(cells.value, expected_cells.value):
        assert (got is None and want is None) or got == want
