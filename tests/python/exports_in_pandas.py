"""Opens xxgk's exports the way researchers do: pandas, pyarrow and DuckDB.

Run by tests/parquet.rs when XXGK_PYTHON names a Python with pandas, pyarrow and duckdb (as
.ci/run sets it up). Argument: a folder holding wide.csv (--bom), long.csv, long.parquet and
wide.parquet of one import. Exits non-zero with a message on the first mismatch.
"""

import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

folder = Path(sys.argv[1])


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


# csv-wide with a BOM: the first column is named `report`, numbers are numbers, blanks are NaN.
wide = pd.read_csv(folder / "wide.csv", encoding="utf-8-sig")
if wide.columns[0] != "report":
    fail(f"first column {wide.columns[0]!r}: the BOM was not taken for one")
for column in ["year", "cells_found", "applications.new_received.total", "disclosure_rate"]:
    if not pd.api.types.is_numeric_dtype(wide[column]):
        fail(f"csv-wide {column} is {wide[column].dtype}, not numeric")
seed = wide[wide["agency"] == "宜春市统计局"].iloc[0]
if seed["applications.new_received.total"] != 12 or abs(seed["disclosure_rate"] - 10 / 12) > 1e-12:
    fail(f"seed row: {seed['applications.new_received.total']}, {seed['disclosure_rate']}")
if wide["report"].duplicated().any():
    fail("a report twice in the panel")

# parquet-long: the same cells as csv-long, values exact.
long_csv = pd.read_csv(folder / "long.csv", dtype=str, keep_default_na=False)
long_pq = pd.read_parquet(folder / "long.parquet")
if list(long_pq.columns) != list(long_csv.columns) or len(long_pq) != len(long_csv):
    fail(f"parquet-long has {len(long_pq)} rows, csv-long {len(long_csv)}")
value_type = pq.read_schema(folder / "long.parquet").field("value").type
if not pa.types.is_decimal(value_type) and not pa.types.is_integer(value_type):
    fail(f"parquet-long value is {value_type}")
for exported, written in zip(long_pq["value"], long_csv["value"]):
    if written == "":
        if not pd.isna(exported):
            fail(f"blank in csv-long, {exported} in Parquet")
    elif Decimal(str(exported)) != Decimal(written):
        fail(f"{exported} in Parquet, {written} in csv-long")
for column in ["key", "status", "raw", "agency"]:
    csv_values = [v[1:] if v.startswith("'") else v for v in long_csv[column]]
    pq_values = ["" if pd.isna(v) else v for v in long_pq[column]]
    if csv_values != pq_values:
        fail(f"parquet-long {column} differs from csv-long")

# DuckDB reads both files as they are, with exact sums.
con = duckdb.connect()
total = con.execute(f"SELECT sum(value) FROM '{folder / 'long.parquet'}'").fetchone()[0]
expected = sum(Decimal(v) for v in long_csv["value"] if v != "")
if Decimal(str(total)) != expected:
    fail(f"DuckDB sums the values to {total}, csv-long to {expected}")
reports = con.execute(
    f"SELECT count(*), count(DISTINCT report) FROM '{folder / 'wide.parquet'}'"
).fetchone()
if reports[0] != len(wide) or reports[0] != reports[1]:
    fail(f"DuckDB reads {reports} reports from parquet-wide, csv-wide has {len(wide)}")
count_type = pq.read_schema(folder / "wide.parquet").field("applications.new_received.total").type
if not pa.types.is_int64(count_type):
    fail(f"parquet-wide counts are {count_type}")
# pandas gives a nullable integer column with dtype_backend="pyarrow" (NaN-free counts).
wide_pq = pd.read_parquet(folder / "wide.parquet", dtype_backend="pyarrow")
if wide_pq.loc[wide_pq["agency"] == "宜春市统计局", "applications.new_received.total"].iloc[0] != 12:
    fail("parquet-wide seed row")
print(f"pandas, pyarrow and DuckDB agree: {len(wide)} reports, {len(long_csv)} cells")
