//! `xxgk export --format parquet-long|parquet-wide`: the long and wide exports as Parquet files
//! (Snappy-compressed), with typed columns that pandas, polars, R (arrow) and DuckDB read as they
//! are. Cell values are exact: `Int64` when every value of the column is a whole number that fits,
//! otherwise `Decimal128(38, s)` with the largest scale the values have; text only when a value
//! could not fit in 38 digits.

use crate::export::{
    for_each_wide_row, long_query, wide_cell_names, wide_keys, WideOptions, LONG_COLUMNS,
    WIDE_COLUMNS,
};
use arrow_array::builder::{
    BooleanBuilder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rusqlite::params;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use xxgk::store::Store;

/// Rows per record batch (and so at most per row group) of the long export.
const LONG_BATCH: usize = 16_384;
/// Rows per record batch of the wide export.
const WIDE_BATCH: usize = 1_024;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
    Bool,
    Float,
    /// Exact decimal with this many decimals.
    Decimal(i8),
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Text => DataType::Utf8,
            Kind::Int => DataType::Int64,
            Kind::Bool => DataType::Boolean,
            Kind::Float => DataType::Float64,
            Kind::Decimal(scale) => DataType::Decimal128(38, scale),
        }
    }
}

/// The type that holds every value given its largest scale and number of integer digits.
fn value_kind(scale: i64, digits: i64) -> Kind {
    if scale == 0 && digits <= 18 {
        Kind::Int
    } else if scale >= 0 && digits >= 0 && digits + scale <= 38 {
        Kind::Decimal(i8::try_from(scale).unwrap_or(i8::MAX))
    } else {
        Kind::Text
    }
}

/// SQL giving the largest scale and the most integer digits of `value_text`.
const VALUE_SHAPE: &str = "max(CASE WHEN instr(value_text, '.') > 0 THEN length(value_text) - instr(value_text, '.') ELSE 0 END),
     max(CASE WHEN instr(value_text, '.') > 0 THEN instr(value_text, '.') - 1 ELSE length(value_text) END
         - (substr(value_text, 1, 1) IN ('-', '+')))";

/// A column being built.
enum Column {
    Text(StringBuilder),
    Int(Int64Builder),
    Bool(BooleanBuilder),
    Float(Float64Builder),
    Decimal(Decimal128Builder, i8),
}

impl Column {
    fn new(kind: Kind) -> anyhow::Result<Column> {
        Ok(match kind {
            Kind::Text => Column::Text(StringBuilder::new()),
            Kind::Int => Column::Int(Int64Builder::new()),
            Kind::Bool => Column::Bool(BooleanBuilder::new()),
            Kind::Float => Column::Float(Float64Builder::new()),
            Kind::Decimal(scale) => Column::Decimal(
                Decimal128Builder::new().with_precision_and_scale(38, scale)?,
                scale,
            ),
        })
    }

    /// Appends a value given as the database's text.
    fn push(&mut self, text: Option<&str>) -> anyhow::Result<()> {
        match self {
            Column::Text(b) => b.append_option(text),
            Column::Int(b) => b.append_option(text.map(str::parse::<i64>).transpose()?),
            Column::Bool(b) => b.append_option(text.map(|t| t == "1")),
            Column::Float(b) => b.append_option(text.map(str::parse::<f64>).transpose()?),
            Column::Decimal(b, scale) => {
                b.append_option(text.map(|t| scaled(t, *scale)).transpose()?)
            }
        }
        Ok(())
    }

    fn push_float(&mut self, value: Option<f64>) {
        if let Column::Float(b) = self {
            b.append_option(value);
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Text(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Float(b) => Arc::new(b.finish()),
            Column::Decimal(b, _) => Arc::new(b.finish()),
        }
    }
}

/// The exact decimal text `12.5` as units of `10^-scale` (1250 for scale 2).
fn scaled(text: &str, scale: i8) -> anyhow::Result<i128> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let scale = usize::try_from(scale)?;
    anyhow::ensure!(frac.len() <= scale, "{text} has more than {scale} decimals");
    let digits = format!("{int}{frac}{}", "0".repeat(scale - frac.len()));
    Ok(digits.parse::<i128>()?)
}

/// A Parquet file being written in record batches.
struct Table<W: Write + Send> {
    schema: Arc<Schema>,
    kinds: Vec<Kind>,
    columns: Vec<Column>,
    rows: usize,
    writer: ArrowWriter<W>,
}

impl<W: Write + Send> Table<W> {
    fn new(out: W, fields: Vec<(String, Kind)>) -> anyhow::Result<Table<W>> {
        let schema = Arc::new(Schema::new(
            fields
                .iter()
                .map(|(name, kind)| Field::new(name, kind.data_type(), true))
                .collect::<Vec<_>>(),
        ));
        let kinds: Vec<Kind> = fields.iter().map(|(_, k)| *k).collect();
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let writer = ArrowWriter::try_new(out, schema.clone(), Some(properties))?;
        Ok(Table {
            columns: kinds
                .iter()
                .map(|k| Column::new(*k))
                .collect::<Result<_, _>>()?,
            schema,
            kinds,
            rows: 0,
            writer,
        })
    }

    /// Writes the rows built so far as one record batch.
    fn flush(&mut self) -> anyhow::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(Column::finish).collect();
        self.writer
            .write(&RecordBatch::try_new(self.schema.clone(), arrays)?)?;
        self.rows = 0;
        Ok(())
    }

    /// Counts a finished row; writes a batch every `batch` rows.
    fn row_done(&mut self, batch: usize) -> anyhow::Result<()> {
        self.rows += 1;
        if self.rows >= batch {
            self.flush()?;
        }
        Ok(())
    }

    fn close(mut self) -> anyhow::Result<()> {
        self.flush()?;
        self.writer.close()?;
        Ok(())
    }
}

/// One row per cell of every copy, the columns of `csv-long`.
pub fn long(store: &Store, out: impl Write + Send) -> anyhow::Result<()> {
    let (scale, digits): (Option<i64>, Option<i64>) = store.connection().query_row(
        &format!("SELECT {VALUE_SHAPE} FROM cells WHERE value_text IS NOT NULL"),
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let value = value_kind(scale.unwrap_or(0), digits.unwrap_or(0));
    let fields: Vec<(String, Kind)> = LONG_COLUMNS
        .iter()
        .map(|name| {
            let kind = match *name {
                "chosen" => Kind::Bool,
                "year" | "line" | "column" | "page" => Kind::Int,
                "value" => value,
                _ => Kind::Text,
            };
            (name.to_string(), kind)
        })
        .collect();
    let mut table = Table::new(out, fields)?;
    let mut statement = long_query(store)?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        for (i, column) in table.columns.iter_mut().enumerate() {
            column.push(row.get::<_, Option<String>>(i)?.as_deref())?;
        }
        table.row_done(LONG_BATCH)?;
    }
    table.close()
}

/// One row per report, the columns of `csv-wide` (status columns with `--cell-status`).
pub fn wide(store: &Store, out: impl Write + Send, options: &WideOptions) -> anyhow::Result<()> {
    let shapes: HashMap<String, (i64, i64)> = {
        let mut statement = store.connection().prepare(&format!(
            "SELECT key, {VALUE_SHAPE} FROM cells WHERE value_text IS NOT NULL GROUP BY key"
        ))?;
        let rows = statement.query_map(params![], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                    r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                ),
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let keys = wide_keys();
    let mut fields: Vec<(String, Kind)> = WIDE_COLUMNS
        .iter()
        .map(|(name, _)| {
            let kind = match *name {
                "copies" | "year" | "cells_found" | "cells_expected" | "errors" | "warnings"
                | "not_assessable" => Kind::Int,
                _ => Kind::Text,
            };
            (name.to_string(), kind)
        })
        .collect();
    fields.extend(
        xxgk::INDICATORS
            .iter()
            .map(|i| (i.name.to_string(), Kind::Float)),
    );
    for (key, (value, status)) in keys.iter().zip(wide_cell_names(&keys, options.short_names)) {
        let (scale, digits) = shapes.get(key.key).copied().unwrap_or((0, 0));
        fields.push((value, value_kind(scale, digits)));
        if options.cell_status {
            fields.push((status, Kind::Text));
        }
    }
    let mut table = Table::new(out, fields)?;
    let status = options.cell_status;
    for_each_wide_row(store, options.all_copies, |row| {
        let mut columns = table.columns.iter_mut();
        for value in &row.columns {
            if let Some(column) = columns.next() {
                column.push(value.as_deref())?;
            }
        }
        for value in &row.indicators {
            if let Some(column) = columns.next() {
                column.push_float(*value);
            }
        }
        for (value, cell_status) in &row.cells {
            if let Some(column) = columns.next() {
                column.push(value.as_deref())?;
            }
            if status {
                if let Some(column) = columns.next() {
                    column.push(Some(cell_status.as_deref().unwrap_or("absent")))?;
                }
            }
        }
        table.row_done(WIDE_BATCH)
    })?;
    debug_assert_eq!(table.kinds.len(), table.columns.len());
    table.close()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_scaled_exactly_and_typed_by_their_shape() {
        assert_eq!(scaled("12.5", 2).unwrap(), 1250);
        assert_eq!(scaled("-3", 1).unwrap(), -30);
        assert_eq!(scaled("486690", 0).unwrap(), 486690);
        assert!(scaled("1.234", 2).is_err());
        assert_eq!(value_kind(0, 12), Kind::Int);
        assert_eq!(value_kind(2, 8), Kind::Decimal(2));
        assert_eq!(value_kind(0, 30), Kind::Decimal(0));
        assert_eq!(value_kind(12, 30), Kind::Text);
    }
}
