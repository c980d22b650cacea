//! `xxgk export`: the database as wide CSV, long CSV or JSON lines.

use rusqlite::params;
use std::collections::BTreeMap;
use std::io::Write;
use xxgk::store::Store;

/// Report columns of the wide and long formats.
const REPORT_COLUMNS: &[&str] = &[
    "report_id",
    "path",
    "template",
    "year",
    "agency",
    "title",
    "format",
    "encoding",
    "period_start",
    "period_end",
    "status",
];

/// Every canonical key of both versions in form order, each once: 2019 and 2021 keys side by
/// side (a key that exists in both means the same in both).
pub fn wide_keys() -> Vec<String> {
    xxgk::canonical_keys(xxgk::Template::Hybrid)
        .into_iter()
        .map(str::to_string)
        .collect()
}

struct ReportRow {
    values: Vec<Option<String>>,
}

fn reports(store: &Store) -> anyhow::Result<Vec<(i64, ReportRow)>> {
    let mut statement = store.connection().prepare(
        "SELECT r.id, (SELECT min(path) FROM files f WHERE f.report_id = r.id AND f.status <> 'missing'),
                r.template, CAST(r.year AS TEXT), r.agency, r.title, r.format, r.encoding,
                r.period_start, r.period_end,
                (SELECT min(status) FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')
         FROM reports r
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')
         ORDER BY r.id",
    )?;
    let rows = statement.query_map([], |r| {
        let id: i64 = r.get(0)?;
        let mut values = vec![Some(id.to_string())];
        for i in 1..REPORT_COLUMNS.len() {
            values.push(r.get::<_, Option<String>>(i)?);
        }
        Ok((id, ReportRow { values }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One row per report, a column per canonical key.
pub fn csv_wide(store: &Store, out: impl Write) -> anyhow::Result<()> {
    let keys = wide_keys();
    let mut writer = csv::Writer::from_writer(out);
    let header: Vec<&str> = REPORT_COLUMNS
        .iter()
        .copied()
        .chain(keys.iter().map(String::as_str))
        .collect();
    writer.write_record(&header)?;
    let mut cells = store
        .connection()
        .prepare("SELECT key, value_text FROM cells WHERE report_id = ?1")?;
    for (id, report) in reports(store)? {
        let values: BTreeMap<String, Option<String>> = cells
            .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut record: Vec<String> = report
            .values
            .into_iter()
            .map(|v| spreadsheet_safe(&v.unwrap_or_default()))
            .collect();
        record.extend(
            keys.iter()
                .map(|k| values.get(k).cloned().flatten().unwrap_or_default()),
        );
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

/// One row per cell (canonical and extra), with status, raw text and location.
pub fn csv_long(store: &Store, out: impl Write) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "report_id",
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
    ])?;
    let mut statement = store.connection().prepare(
        "SELECT c.report_id, (SELECT min(path) FROM files f WHERE f.report_id = c.report_id AND f.status <> 'missing'), r.agency,
                CAST(r.year AS TEXT), r.template, c.key, c.tbl, c.status, c.value_text, c.raw, c.unit,
                CAST(c.line AS TEXT), CAST(c.col AS TEXT), c.candidates, c.evidence,
                CAST(c.page AS TEXT), c.box
         FROM cells c JOIN reports r ON r.id = c.report_id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = c.report_id AND f.status <> 'missing')
         ORDER BY c.report_id, c.position",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let mut record = vec![row.get::<_, i64>(0)?.to_string()];
        for i in 1..17 {
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
pub fn csv_narrative(store: &Store, out: impl Write) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "report_id",
        "path",
        "agency",
        "year",
        "keys",
        "value",
        "scope",
        "text",
        "sentence",
        "line",
        "column",
    ])?;
    let mut statement = store.connection().prepare(
        "SELECT n.report_id, (SELECT min(path) FROM files f WHERE f.report_id = n.report_id AND f.status <> 'missing'), r.agency,
                CAST(r.year AS TEXT), n.keys, n.value_text, n.scope, n.text, n.sentence,
                CAST(n.line AS TEXT), CAST(n.col AS TEXT)
         FROM narrative n JOIN reports r ON r.id = n.report_id
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.report_id = n.report_id AND f.status <> 'missing')
         ORDER BY n.report_id, n.position",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let mut record = vec![row.get::<_, i64>(0)?.to_string()];
        for i in 1..11 {
            record.push(spreadsheet_safe(
                &row.get::<_, Option<String>>(i)?.unwrap_or_default(),
            ));
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

/// One JSON object per report: metadata, files, sections, cells and findings.
pub fn jsonl(store: &Store, mut out: impl Write) -> anyhow::Result<()> {
    let conn = store.connection();
    let mut files = conn.prepare(
        "SELECT path FROM files WHERE report_id = ?1 AND status <> 'missing' ORDER BY path",
    )?;
    let mut sections = conn.prepare(
        "SELECT number, title, text FROM sections WHERE report_id = ?1 ORDER BY position",
    )?;
    let mut cells = conn.prepare(
        "SELECT key, tbl, status, value_text, raw, unit, line, col, candidates, evidence, page, box FROM cells
         WHERE report_id = ?1 ORDER BY position",
    )?;
    let mut figures = conn.prepare(
        "SELECT keys, value_text, text, sentence, scope, line, col FROM narrative
         WHERE report_id = ?1 ORDER BY position",
    )?;
    let mut findings = conn.prepare(
        "SELECT rule, severity, message, cells, line, source FROM findings WHERE report_id = ?1 ORDER BY source DESC, position",
    )?;
    let mut meta = conn.prepare(
        "SELECT template, year, agency, title, format, encoding, period_start, period_end, format_notice,
                notices, website, address, postcode, phone, email, publisher, published, source_url, preamble
         FROM reports WHERE id = ?1",
    )?;
    for (id, _) in reports(store)? {
        let mut object = meta.query_row(params![id], |r| {
            let text = |i: usize| r.get::<_, Option<String>>(i);
            Ok(serde_json::json!({
                "report_id": id,
                "template": text(0)?,
                "year": r.get::<_, Option<i64>>(1)?,
                "agency": text(2)?,
                "title": text(3)?,
                "format": text(4)?,
                "encoding": text(5)?,
                "metadata": {
                    "period": { "start": text(6)?, "end": text(7)? },
                    "format_notice": text(8)?,
                    "notices": text(9)?.and_then(|n| serde_json::from_str::<serde_json::Value>(&n).ok()),
                    "website": text(10)?,
                    "contact": { "address": text(11)?, "postcode": text(12)?, "phone": text(13)?, "email": text(14)? },
                    "publisher": text(15)?,
                    "published": text(16)?,
                    "source_url": text(17)?,
                },
                "preamble": text(18)?,
            }))
        })?;
        let paths: Vec<String> = files
            .query_map(params![id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        object["files"] = serde_json::json!(paths);
        let section_list: Vec<serde_json::Value> = sections
            .query_map(params![id], |r| {
                Ok(serde_json::json!({ "number": r.get::<_, Option<i64>>(0)?, "title": r.get::<_, String>(1)?, "text": r.get::<_, String>(2)? }))
            })?
            .collect::<Result<_, _>>()?;
        object["sections"] = serde_json::json!(section_list);
        let cell_list: Vec<serde_json::Value> = cells
            .query_map(params![id], |r| {
                let value: Option<String> = r.get(3)?;
                let number = value.as_deref().and_then(|v| v.parse::<serde_json::Number>().ok());
                Ok(serde_json::json!({
                    "key": r.get::<_, String>(0)?,
                    "table": r.get::<_, String>(1)?,
                    "status": r.get::<_, String>(2)?,
                    "value": number,
                    "raw": r.get::<_, Option<String>>(4)?,
                    "unit": r.get::<_, String>(5)?,
                    "location": {
                        "line": r.get::<_, Option<i64>>(6)?,
                        "column": r.get::<_, Option<i64>>(7)?,
                        "page": r.get::<_, Option<i64>>(10)?,
                        "box": r.get::<_, Option<String>>(11)?.map(|b| b.split(' ').filter_map(|v| v.parse::<serde_json::Number>().ok()).collect::<Vec<_>>()),
                    },
                    "candidates": r.get::<_, Option<String>>(8)?.map(|c| c.split('|').filter_map(|v| v.parse::<serde_json::Number>().ok()).collect::<Vec<_>>()),
                    "evidence": r.get::<_, Option<String>>(9)?,
                }))
            })?
            .collect::<Result<_, _>>()?;
        object["cells"] = serde_json::json!(cell_list);
        let figure_list: Vec<serde_json::Value> = figures
            .query_map(params![id], |r| {
                let value: String = r.get(1)?;
                Ok(serde_json::json!({
                    "keys": r.get::<_, String>(0)?.split('+').collect::<Vec<_>>(),
                    "value": value.parse::<serde_json::Number>().ok(),
                    "text": r.get::<_, String>(2)?,
                    "sentence": r.get::<_, String>(3)?,
                    "scope": r.get::<_, String>(4)?,
                    "location": { "line": r.get::<_, Option<i64>>(5)?, "column": r.get::<_, Option<i64>>(6)? },
                }))
            })?
            .collect::<Result<_, _>>()?;
        object["narrative"] = serde_json::json!(figure_list);
        let finding_list: Vec<serde_json::Value> = findings
            .query_map(params![id], |r| {
                let cells: String = r.get(3)?;
                Ok(serde_json::json!({
                    "rule": r.get::<_, String>(0)?,
                    "severity": r.get::<_, String>(1)?,
                    "message": r.get::<_, String>(2)?,
                    "cells": serde_json::from_str::<serde_json::Value>(&cells).unwrap_or_default(),
                    "line": r.get::<_, Option<i64>>(4)?,
                    "source": r.get::<_, String>(5)?,
                }))
            })?
            .collect::<Result<_, _>>()?;
        object["findings"] = serde_json::json!(finding_list);
        serde_json::to_writer(&mut out, &object)?;
        writeln!(out)?;
    }
    out.flush()?;
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
