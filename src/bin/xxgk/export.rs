//! `xxgk export`: the database as wide CSV (one row per report), long CSV (one row per cell),
//! the restated figures, or JSON lines (the records).

use rusqlite::params;
use std::collections::HashMap;
use std::io::Write;
use xxgk::store::Store;

/// How the CSV exports are written.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Start with a UTF-8 byte order mark, so that Excel reads the file as UTF-8.
    pub bom: bool,
}

/// How `csv-wide` is written.
#[derive(Debug, Clone, Default)]
pub struct WideOptions {
    /// BOM and the like.
    pub csv: CsvOptions,
    /// Column names of at most 32 characters for Stata, SPSS and SAS (the codebook's short names).
    pub short_names: bool,
    /// A status column after each cell's value column.
    pub cell_status: bool,
    /// Every copy of a report, not only the chosen one.
    pub all_copies: bool,
}

/// A CSV writer, with a BOM first when asked.
fn csv_writer<W: Write>(mut out: W, options: &CsvOptions) -> anyhow::Result<csv::Writer<W>> {
    if options.bom {
        out.write_all("\u{feff}".as_bytes())?;
    }
    Ok(csv::Writer::from_writer(out))
}

/// Every canonical key of both versions in form order, each once: 2019 and 2021 keys side by
/// side (a key that exists in both means the same in both).
pub fn wide_keys() -> Vec<xxgk::KeyInfo> {
    xxgk::codebook()
}

/// The report columns of `csv-wide`, with what each holds (for the labels file).
pub const WIDE_COLUMNS: &[(&str, &str)] = &[
    (
        "report",
        "the report's content hash (BLAKE3): its stable id across databases",
    ),
    (
        "paths",
        "the files holding this report and its copies, separated by ' | '",
    ),
    (
        "copies",
        "how many other files' reports are copies of this one",
    ),
    ("format", "input format of the chosen copy"),
    ("encoding", "text encoding of the chosen copy"),
    (
        "template",
        "form version: 2019, 2021, hybrid, legacy, unknown",
    ),
    ("year", "year reported on"),
    ("agency", "agency as written"),
    ("title", "report title"),
    ("period_start", "period start"),
    ("period_end", "period end"),
    ("status", "ok, or findings (a warning or error)"),
    ("cells_found", "canonical cells found in the source"),
    ("cells_expected", "canonical cells of the tables found"),
    ("errors", "error findings"),
    ("warnings", "warning findings"),
    ("failed_rules", "rules that fail, separated by ';'"),
    (
        "not_assessable",
        "rule checks not assessable (an input not a number)",
    ),
];

/// One report's row of the wide formats.
pub struct WideRow {
    /// The values of [`WIDE_COLUMNS`], as text.
    pub columns: Vec<Option<String>>,
    /// One per indicator of `xxgk::INDICATORS`.
    pub indicators: Vec<Option<f64>>,
    /// One per key of [`wide_keys`]: the exact value, and the status (`None`: the report has no
    /// such cell).
    pub cells: Vec<(Option<String>, Option<String>)>,
}

/// The name of each cell column of the wide formats, and of its status column.
pub fn wide_cell_names(keys: &[xxgk::KeyInfo], short_names: bool) -> Vec<(String, String)> {
    keys.iter()
        .map(|key| {
            if short_names {
                (key.short_name.clone(), format!("{}_s", key.short_name))
            } else {
                (key.key.to_string(), format!("{}.status", key.key))
            }
        })
        .collect()
}

/// Calls `each` with every report's wide row: the chosen copies, or every copy.
pub fn for_each_wide_row(
    store: &Store,
    all_copies: bool,
    mut each: impl FnMut(&WideRow) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let keys = wide_keys();
    let conn = store.connection();
    let mut reports = conn.prepare(&format!(
        "SELECT r.id, r.hash,
                (SELECT group_concat(path, ' | ') FROM (
                    SELECT f.path FROM files f JOIN reports c ON c.id = f.report_id
                    WHERE (c.id = r.id OR c.copy_of = r.id) AND f.status <> 'missing' ORDER BY f.path)),
                CAST((SELECT count(*) FROM reports c WHERE c.copy_of = r.id
                      AND EXISTS (SELECT 1 FROM files f WHERE f.report_id = c.id AND f.status <> 'missing')) AS TEXT),
                r.format, r.encoding, r.template, CAST(r.year AS TEXT), r.agency, r.title,
                r.period_start, r.period_end,
                (SELECT min(status) FROM files f WHERE f.report_id = r.id AND f.status <> 'missing'),
                CAST(r.cells_found AS TEXT), CAST(r.cells_expected AS TEXT),
                CAST(r.errors AS TEXT), CAST(r.warnings AS TEXT),
                (SELECT group_concat(rule, ';') FROM (
                    SELECT DISTINCT rule FROM findings x WHERE x.report_id = r.id AND {FAILED_RULE} ORDER BY rule)),
                CAST(r.checks_not_assessable AS TEXT),
                i.disclosure_rate, i.refusal_rate, i.unavailable_rate, i.backlog,
                i.review_correction_rate, i.litigation_correction_rate
         FROM reports r LEFT JOIN report_indicators i ON i.report_id = r.id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')
           AND (?1 OR r.copy_of IS NULL)
         ORDER BY r.id"
    ))?;
    let mut cells =
        conn.prepare("SELECT key, status, value_text FROM cells WHERE report_id = ?1")?;
    let mut rows = reports.query(params![all_copies])?;
    let text_columns = WIDE_COLUMNS.len();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let mut columns = Vec::with_capacity(text_columns);
        for i in 1..=text_columns {
            columns.push(row.get::<_, Option<String>>(i)?);
        }
        let mut indicators = Vec::with_capacity(xxgk::INDICATORS.len());
        for i in 0..xxgk::INDICATORS.len() {
            indicators.push(row.get::<_, Option<f64>>(text_columns + 1 + i)?);
        }
        let mut values: HashMap<String, (String, Option<String>)> = cells
            .query_map(params![id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<Result<_, _>>()?;
        let cells = keys
            .iter()
            .map(|key| match values.remove(key.key) {
                Some((status, value)) => (value, Some(status)),
                None => (None, None),
            })
            .collect();
        each(&WideRow {
            columns,
            indicators,
            cells,
        })?;
    }
    Ok(())
}

/// One row per report, a column per canonical key (and per indicator), with the report's
/// quality: cells found and expected, errors, warnings, failed rules. Only the chosen copy of a
/// report read from several files, unless `all_copies`.
pub fn csv_wide(store: &Store, out: impl Write, options: &WideOptions) -> anyhow::Result<()> {
    let keys = wide_keys();
    let mut writer = csv_writer(out, &options.csv)?;
    let mut header: Vec<String> = WIDE_COLUMNS.iter().map(|(c, _)| c.to_string()).collect();
    header.extend(xxgk::INDICATORS.iter().map(|i| i.name.to_string()));
    for (value, status) in wide_cell_names(&keys, options.short_names) {
        header.push(value);
        if options.cell_status {
            header.push(status);
        }
    }
    writer.write_record(&header)?;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    for_each_wide_row(store, options.all_copies, |row| {
        record.clear();
        record.extend(
            row.columns
                .iter()
                .map(|v| spreadsheet_safe(v.as_deref().unwrap_or(""))),
        );
        record.extend(
            row.indicators
                .iter()
                .map(|v| v.map(|v| v.to_string()).unwrap_or_default()),
        );
        for (value, status) in &row.cells {
            record.push(value.clone().unwrap_or_default());
            if options.cell_status {
                // A key of a table the report does not have, or of the other version: absent.
                record.push(status.clone().unwrap_or_else(|| "absent".to_string()));
            }
        }
        writer.write_record(&record)?;
        Ok(())
    })?;
    writer.flush()?;
    Ok(())
}

/// The findings that are a rule failing: R1–R7 and X1–X3 errors, and X2 contradictions.
const FAILED_RULE: &str = "(x.rule GLOB 'R[1-7]' OR x.rule GLOB 'X[1-3]') AND (x.severity = 'error' OR (x.rule = 'X2' AND x.severity = 'warning'))";

/// The labels of `csv-wide`'s columns as CSV (`name,key,label`), for a user who asked for short
/// names, and a Stata `.do` file that reads the export and labels its variables.
pub fn wide_labels(
    csv_path: &std::path::Path,
    options: &WideOptions,
) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let labels_path = csv_path.with_extension("labels.csv");
    let do_path = csv_path.with_extension("do");
    let mut labels = csv::Writer::from_path(&labels_path)?;
    labels.write_record(["name", "key", "label"])?;
    let mut stata = String::new();
    let file_name = csv_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    stata.push_str(&format!(
        "* Reads {file_name} (written by `xxgk export -f csv-wide --short-names`) and labels its variables.\n\
         import delimited using \"{}\", varnames(1) encoding(\"utf-8\") stringcols(_all) clear\n",
        file_name.replace('"', "")
    ));
    let mut label = |name: &str, key: &str, text: &str| -> anyhow::Result<()> {
        labels.write_record([name, key, text])?;
        // Stata labels hold at most 80 characters.
        let short: String = text.replace('"', "'").chars().take(80).collect();
        stata.push_str(&format!("label variable {name} \"{short}\"\n"));
        Ok(())
    };
    for (name, text) in WIDE_COLUMNS {
        label(name, "", text)?;
    }
    for indicator in xxgk::INDICATORS {
        label(indicator.name, "", indicator.description)?;
    }
    for key in wide_keys() {
        let text = format!("{}·{}", key.row_label, key.column_label);
        label(&key.short_name, key.key, &text)?;
        if options.cell_status {
            label(
                &format!("{}_s", key.short_name),
                key.key,
                &format!("status: {text}"),
            )?;
        }
    }
    labels.flush()?;
    // Numbers were read as text so that a blank stays missing; destring what is numeric.
    stata.push_str(
        "destring year cells_found cells_expected errors warnings not_assessable copies, replace\n",
    );
    stata.push_str(&format!(
        "destring {} t2_* t3_* t4_*, replace\n",
        xxgk::INDICATORS
            .iter()
            .map(|i| i.name)
            .collect::<Vec<_>>()
            .join(" ")
    ));
    if options.cell_status {
        stata.push_str("* the *_s status columns are text; destring skipped them.\n");
    }
    std::fs::write(&do_path, stata)?;
    Ok((labels_path, do_path))
}

/// The columns of `csv-long` (and `parquet-long`), all text in the query.
pub const LONG_COLUMNS: &[&str] = &[
    "report",
    "chosen",
    "path",
    "agency",
    "year",
    "template",
    "key",
    "table",
    "status",
    "value",
    "raw",
    "unit",
    "line",
    "column",
    "candidates",
    "evidence",
    "page",
    "box",
];

/// The query of the long formats: one row per cell of every copy, [`LONG_COLUMNS`] as text.
pub fn long_query(store: &Store) -> anyhow::Result<rusqlite::Statement<'_>> {
    Ok(store.connection().prepare(
        "SELECT r.hash, CASE WHEN r.copy_of IS NULL THEN '1' ELSE '0' END,
                (SELECT min(path) FROM files f WHERE f.report_id = c.report_id AND f.status <> 'missing'), r.agency,
                CAST(r.year AS TEXT), r.template, c.key, c.tbl, c.status, c.value_text, c.raw, c.unit,
                CAST(c.line AS TEXT), CAST(c.col AS TEXT), c.candidates, c.evidence,
                CAST(c.page AS TEXT), c.box
         FROM cells c JOIN reports r ON r.id = c.report_id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = c.report_id AND f.status <> 'missing')
         ORDER BY c.report_id, c.position",
    )?)
}

/// One row per cell (canonical and extra), with status, raw text and location, of every copy of
/// every report (`chosen` is 1 for the copy the panel exports use).
pub fn csv_long(store: &Store, out: impl Write, options: &CsvOptions) -> anyhow::Result<()> {
    let mut writer = csv_writer(out, options)?;
    writer.write_record(LONG_COLUMNS)?;
    let mut statement = long_query(store)?;
    write_rows(&mut writer, &mut statement, LONG_COLUMNS.len())
}

/// Writes every row of a query whose columns are all text (or null), made spreadsheet-safe.
fn write_rows<W: Write>(
    writer: &mut csv::Writer<W>,
    statement: &mut rusqlite::Statement<'_>,
    columns: usize,
) -> anyhow::Result<()> {
    let mut rows = statement.query([])?;
    let mut record: Vec<String> = Vec::with_capacity(columns);
    while let Some(row) = rows.next()? {
        record.clear();
        for i in 0..columns {
            record.push(spreadsheet_safe(
                &row.get::<_, Option<String>>(i)?.unwrap_or_default(),
            ));
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

/// One row per figure the reports' text restates, with whose and which year's it is: for
/// researchers where a table is missing or unreadable, and to see what X2 compared.
pub fn csv_narrative(store: &Store, out: impl Write, options: &CsvOptions) -> anyhow::Result<()> {
    let mut writer = csv_writer(out, options)?;
    writer.write_record([
        "report", "chosen", "path", "agency", "year", "keys", "value", "scope", "text", "sentence",
        "line", "column",
    ])?;
    let mut statement = store.connection().prepare(
        "SELECT r.hash, CASE WHEN r.copy_of IS NULL THEN '1' ELSE '0' END,
                (SELECT min(path) FROM files f WHERE f.report_id = n.report_id AND f.status <> 'missing'), r.agency,
                CAST(r.year AS TEXT), n.keys, n.value_text, n.scope, n.text, n.sentence,
                CAST(n.line AS TEXT), CAST(n.col AS TEXT)
         FROM narrative n JOIN reports r ON r.id = n.report_id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = n.report_id AND f.status <> 'missing')
         ORDER BY n.report_id, n.position",
    )?;
    write_rows(&mut writer, &mut statement, 12)
}

/// One JSON object per report, every copy: the record exactly as `xxgk parse` prints it, after
/// `report` (its content hash), `files` (its paths) and `copy_of` (the chosen copy's hash, or
/// `null` for a chosen copy). A report stored by an xxgk older than schema 5 has no record: its
/// line says so (`"record": null`) and standard error counts them.
pub fn jsonl(store: &Store, mut out: impl Write) -> anyhow::Result<()> {
    let conn = store.connection();
    let mut files = conn.prepare(
        "SELECT path FROM files WHERE report_id = ?1 AND status <> 'missing' ORDER BY path",
    )?;
    let mut reports = conn.prepare(
        "SELECT r.id, r.hash, (SELECT c.hash FROM reports c WHERE c.id = r.copy_of)
         FROM reports r
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')
         ORDER BY r.id",
    )?;
    let mut rows = reports.query([])?;
    let mut without_record = 0usize;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let hash: String = row.get(1)?;
        let copy_of: Option<String> = row.get(2)?;
        let paths: Vec<String> = files
            .query_map(params![id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let head = serde_json::json!({ "report": hash, "files": paths, "copy_of": copy_of });
        let head = serde_json::to_string(&head)?;
        let head = head.strip_suffix('}').unwrap_or(&head);
        match store.record(id)? {
            Some(record) => {
                let body = record
                    .strip_prefix('{')
                    .filter(|b| b.len() > 1)
                    .ok_or_else(|| {
                        anyhow::anyhow!("report {hash}: the stored record is not a JSON object")
                    })?;
                writeln!(out, "{head},{body}")?;
            }
            None => {
                without_record += 1;
                writeln!(
                    out,
                    "{head},\"record\":null,\"note\":\"stored by an xxgk before schema 5; import its files into a new database to get the record\"}}"
                )?;
            }
        }
    }
    out.flush()?;
    if without_record > 0 {
        eprintln!(
            "xxgk: {without_record} reports were stored by an older xxgk without their record (\"record\": null); import their files into a new database to export them whole"
        );
    }
    Ok(())
}

/// A text field as a spreadsheet may safely open it: one starting with `=`, `+`, `-`, `@`, a TAB
/// or a carriage return would be taken for a formula (`=HYPERLINK(…)`), so it gets a leading `'`;
/// a number (`-18`, `+2`) is left as it is.
pub fn spreadsheet_safe(field: &str) -> String {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = xxgk::Decimal::parse_ascii(field.trim()).is_some();
    let dashes = field.trim().chars().all(|c| c == '-');
    if risky && !number && !dashes {
        format!("'{field}")
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(
            spreadsheet_safe("=cmd|' /C calc'!A0"),
            "'=cmd|' /C calc'!A0"
        );
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("+1+1"), "'+1+1");
        assert_eq!(spreadsheet_safe("-18"), "-18");
        assert_eq!(spreadsheet_safe("+2"), "+2");
        assert_eq!(spreadsheet_safe("-"), "-");
        assert_eq!(spreadsheet_safe("宜春市统计局"), "宜春市统计局");
    }
}
