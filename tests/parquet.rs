//! Parquet exports read back with the parquet crate: the same values as the CSV exports, typed.

mod common;

use arrow_array::{Array, BooleanArray, Decimal128Array, Float64Array, Int64Array, StringArray};
use arrow_schema::DataType;
use common::command::{scratch, xxgk};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An import of every fixture that is a report, in a fresh folder.
fn imported(name: &str) -> PathBuf {
    let dir = scratch(name);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let out = xxgk(
        &[
            "import",
            fixtures.to_str().unwrap(),
            "--db",
            "db.sqlite",
            "-q",
        ],
        &dir,
    );
    assert!(out.status.success(), "{out:?}");
    dir
}

/// Every value of a column as the CSV export writes it.
fn texts(array: &dyn Array) -> Vec<String> {
    let any = array.as_any();
    (0..array.len())
        .map(|i| {
            if array.is_null(i) {
                return String::new();
            }
            match array.data_type() {
                DataType::Utf8 => any
                    .downcast_ref::<StringArray>()
                    .unwrap()
                    .value(i)
                    .to_string(),
                DataType::Int64 => any
                    .downcast_ref::<Int64Array>()
                    .unwrap()
                    .value(i)
                    .to_string(),
                DataType::Boolean => {
                    let b = any.downcast_ref::<BooleanArray>().unwrap().value(i);
                    (if b { "1" } else { "0" }).to_string()
                }
                DataType::Float64 => any
                    .downcast_ref::<Float64Array>()
                    .unwrap()
                    .value(i)
                    .to_string(),
                DataType::Decimal128(_, scale) => {
                    let units = any.downcast_ref::<Decimal128Array>().unwrap().value(i);
                    let d = xxgk::Decimal::new(units, u32::from(*scale as u8)).unwrap();
                    d.to_string()
                }
                other => panic!("unexpected type {other}"),
            }
        })
        .collect()
}

/// The columns of a Parquet file: name, type, values as text.
fn read(path: &Path) -> Vec<(String, DataType, Vec<String>)> {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut columns: Vec<(String, DataType, Vec<String>)> = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        if columns.is_empty() {
            columns = batch
                .schema()
                .fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().clone(), Vec::new()))
                .collect();
        }
        for (i, column) in columns.iter_mut().enumerate() {
            column.2.extend(texts(batch.column(i).as_ref()));
        }
    }
    columns
}

/// A CSV file's header and rows.
fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The CSV's text as the Parquet file holds it: without the `'` that defuses a formula.
fn unguarded(field: &str) -> &str {
    field.strip_prefix('\'').unwrap_or(field)
}

#[test]
fn parquet_long_holds_what_csv_long_holds_cell_for_cell() {
    let dir = imported("parquet-long");
    let out = xxgk(
        &[
            "export",
            "--db",
            "db.sqlite",
            "-f",
            "parquet-long",
            "-o",
            "long.parquet",
        ],
        &dir,
    );
    assert!(out.status.success(), "{out:?}");
    let columns = read(&dir.join("long.parquet"));
    let csv = xxgk(&["export", "--db", "db.sqlite", "-f", "csv-long"], &dir);
    let (header, rows) = csv_rows(&csv.stdout);
    let names: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, header);
    assert!(rows.len() > 4000, "{}", rows.len());
    for (i, (name, _, values)) in columns.iter().enumerate() {
        assert_eq!(values.len(), rows.len(), "{name}");
        for (row, value) in rows.iter().zip(values) {
            assert_eq!(unguarded(&row[i]), value, "{name}");
        }
    }
    let kind = |name: &str| &columns.iter().find(|c| c.0 == name).unwrap().1;
    // 万元 amounts have decimals: the values are exact decimals, with the corpus's largest scale.
    assert!(
        matches!(kind("value"), DataType::Decimal128(38, s) if *s >= 1),
        "{:?}",
        kind("value")
    );
    assert_eq!(kind("year"), &DataType::Int64);
    assert_eq!(kind("chosen"), &DataType::Boolean);
    assert_eq!(kind("raw"), &DataType::Utf8);
}

#[test]
fn parquet_wide_is_one_typed_row_per_report() {
    let dir = imported("parquet-wide");
    let out = xxgk(
        &[
            "export",
            "--db",
            "db.sqlite",
            "-f",
            "parquet-wide",
            "--cell-status",
            "-o",
            "wide.parquet",
        ],
        &dir,
    );
    assert!(out.status.success(), "{out:?}");
    let columns = read(&dir.join("wide.parquet"));
    let csv = xxgk(
        &[
            "export",
            "--db",
            "db.sqlite",
            "-f",
            "csv-wide",
            "--cell-status",
        ],
        &dir,
    );
    let (header, rows) = csv_rows(&csv.stdout);
    assert_eq!(
        columns.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
        header
    );
    for (i, (name, kind, values)) in columns.iter().enumerate() {
        for (row, value) in rows.iter().zip(values) {
            match kind {
                // Floats compare as numbers (the CSV writes the same shortest form).
                DataType::Float64 => assert_eq!(row[i], *value, "{name}"),
                _ => assert_eq!(unguarded(&row[i]), value, "{name}"),
            }
        }
    }
    let kind = |name: &str| &columns.iter().find(|c| c.0 == name).unwrap().1;
    assert_eq!(kind("applications.new_received.total"), &DataType::Int64);
    assert_eq!(kind("disclosure_rate"), &DataType::Float64);
    assert_eq!(kind("cells_found"), &DataType::Int64);
    assert_eq!(
        kind("applications.new_received.total.status"),
        &DataType::Utf8
    );
    let seed = columns
        .iter()
        .find(|c| c.0 == "agency")
        .unwrap()
        .2
        .iter()
        .position(|a| a == "宜春市统计局")
        .unwrap();
    let value = |name: &str| columns.iter().find(|c| c.0 == name).unwrap().2[seed].clone();
    assert_eq!(value("applications.new_received.total"), "12");
    assert_eq!(value("active.procurement.amount_yuan"), "486690");
}

#[test]
fn a_parquet_export_needs_a_file() {
    let dir = imported("parquet-stdout");
    let out = xxgk(&["export", "--db", "db.sqlite", "-f", "parquet-long"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o FILE.parquet"));
}

/// Opens the exports in pandas, pyarrow and DuckDB (`tests/python/exports_in_pandas.py`) with the
/// Python `$XXGK_PYTHON` names. Skipped without it, unless `XXGK_REQUIRE_PYTHON` is set (as
/// `.ci/run` does, after installing them into a virtual environment).
#[test]
fn exports_open_in_pandas_pyarrow_and_duckdb() {
    let Some(python) = std::env::var_os("XXGK_PYTHON") else {
        assert!(
            std::env::var_os("XXGK_REQUIRE_PYTHON").is_none(),
            "XXGK_PYTHON must name a Python with pandas, pyarrow and duckdb"
        );
        eprintln!("XXGK_PYTHON is not set: the pandas/pyarrow/DuckDB check is skipped");
        return;
    };
    let dir = imported("parquet-python");
    for args in [
        &["-f", "csv-wide", "--bom", "-o", "wide.csv"][..],
        &["-f", "csv-long", "-o", "long.csv"],
        &["-f", "parquet-long", "-o", "long.parquet"],
        &["-f", "parquet-wide", "-o", "wide.parquet"],
    ] {
        let mut all = vec!["export", "--db", "db.sqlite"];
        all.extend_from_slice(args);
        let out = xxgk(&all, &dir);
        assert!(out.status.success(), "{out:?}");
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/exports_in_pandas.py");
    let out = Command::new(python).arg(script).arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
