"""Imports a folder of reports on a Dask cluster and writes the cells and the files as Parquet.

    python python/examples/dask_import.py FOLDER OUT [--workers 2] [--scheduler ADDRESS]

Files are listed once, split into partitions, and each partition is parsed by one task with
``xxgk.tables`` (the parse itself runs in Rust threads, outside the GIL). Each task writes its cells
to ``OUT/cells/part-NNNNN.parquet`` and returns its files' accounting; ``OUT/files.parquet`` then
holds one row per input file — read or failed, with the reason — so every file is accounted for.

Without ``--scheduler`` it starts a ``LocalCluster`` on the loopback interface; with one it joins
a running cluster (``dask scheduler`` and ``dask worker`` on the machines, each with this package
installed and the files on a shared file system).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import List

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import xxgk

# Cell values as exact decimals: 38 digits with 12 decimals (the most xxgk keeps) hold every value
# up to 10^26, and every part gets the same schema.
VALUE_TYPE = pa.decimal128(38, 12)


def cell_table(cells: pd.DataFrame) -> pa.Table:
    """The cells of a partition as an Arrow table with a fixed schema."""
    columns = {}
    for name in cells.columns:
        if name == "value":
            columns[name] = pa.array(cells[name], type=VALUE_TYPE, from_pandas=True)
        elif name == "candidates":
            columns[name] = pa.array(cells[name], type=pa.list_(VALUE_TYPE))
        elif name == "box":
            columns[name] = pa.array(cells[name], type=pa.list_(pa.float64()))
        elif name in ("year", "line", "column", "page"):
            columns[name] = pa.array(cells[name], type=pa.int64(), from_pandas=True)
        else:
            columns[name] = pa.array(cells[name], type=pa.string(), from_pandas=True)
    return pa.table(columns)


def import_partition(paths: List[str], out: str, number: int) -> pd.DataFrame:
    """Parses one partition, writes its cells, and returns one accounting row per file."""
    files, cells = xxgk.tables(paths, jobs=1)
    (Path(out) / "cells").mkdir(parents=True, exist_ok=True)
    pq.write_table(cell_table(cells), Path(out) / "cells" / f"part-{number:05}.parquet")
    return files


def partitions(paths: List[str], count: int) -> List[List[str]]:
    """`paths` cut into `count` nearly equal parts, in order."""
    size = max(1, -(-len(paths) // max(1, count)))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


def run(folder: str, out: str, client) -> pd.DataFrame:
    """Imports `folder` with the Dask `client`; returns the files' accounting."""
    paths = xxgk.files_under(folder)
    workers = max(1, len(client.scheduler_info()["workers"]))
    parts = partitions(paths, workers * 4)
    futures = [
        client.submit(import_partition, part, out, i, pure=False) for i, part in enumerate(parts)
    ]
    files = pd.concat(client.gather(futures), ignore_index=True) if futures else xxgk.reports([])
    missing = set(paths) - set(files["file"])
    if missing or len(files) != len(paths):
        raise RuntimeError(f"{len(missing)} files are not accounted for")
    files.to_parquet(Path(out) / "files.parquet", index=False)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", help="address of a running Dask scheduler")
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    started = time.perf_counter()
    if args.scheduler:
        client = Client(args.scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        files = run(args.folder, args.out, client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    seconds = time.perf_counter() - started
    read = int((files["status"] != "failed").sum())
    print(
        f"{len(files)} files: {read} reports, {len(files) - read} failed; "
        f"{seconds:.1f}s, {len(files) / seconds:.0f} files/s; written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
