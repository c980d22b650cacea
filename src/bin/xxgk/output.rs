//! Printing a report: JSON, cells as CSV, a readable summary, findings.

use std::io::Write;
use xxgk::{Outcome, Report, Severity};

/// The whole record as JSON: on several lines when `pretty`, else on one (JSON Lines).
pub fn json(report: &Report, pretty: bool, out: &mut impl Write) -> anyhow::Result<()> {
    if pretty {
        serde_json::to_writer_pretty(&mut *out, report)?;
    } else {
        serde_json::to_writer(&mut *out, report)?;
    }
    writeln!(out)?;
    Ok(())
}

/// One CSV row per cell.
pub fn cells(report: &Report, out: &mut impl Write) -> anyhow::Result<()> {
    cell_rows(report, None, true, out)
}

/// One CSV row per cell, each naming the file (for several files in one table); the header comes
/// first when `header` (before the first file's rows).
pub fn cells_of(
    report: &Report,
    file: &str,
    header: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    cell_rows(report, Some(file), header, out)
}

fn cell_rows(
    report: &Report,
    file: Option<&str>,
    header: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let columns = ["key", "value", "raw", "unit", "line", "column", "status"];
    if header {
        match file {
            Some(_) => writer.write_record(std::iter::once("file").chain(columns))?,
            None => writer.write_record(columns)?,
        }
    }
    for cell in &report.cells {
        let location = cell.location.unwrap_or_default();
        let value = cell.value.map(|v| v.to_string()).unwrap_or_default();
        let line = location.line.map(|l| l.to_string()).unwrap_or_default();
        let column = location.column.map(|c| c.to_string()).unwrap_or_default();
        let raw = crate::export::spreadsheet_safe(cell.raw.as_deref().unwrap_or(""));
        let fields = [
            cell.key.as_str(),
            &value,
            &raw,
            cell.unit,
            &line,
            &column,
            cell.status.as_str(),
        ];
        match file {
            Some(file) => writer.write_record(
                std::iter::once(crate::export::spreadsheet_safe(file).as_str()).chain(fields),
            )?,
            None => writer.write_record(fields)?,
        }
    }
    writer.flush()?;
    Ok(())
}

/// A readable summary: what the report is, its sections and tables, and what is wrong with it.
pub fn text(report: &Report, out: &mut impl Write) -> anyhow::Result<()> {
    let or_unknown = |s: Option<&str>| s.unwrap_or("(unknown)").to_string();
    writeln!(out, "title:    {}", or_unknown(report.title.as_deref()))?;
    writeln!(out, "agency:   {}", or_unknown(report.agency.as_deref()))?;
    writeln!(
        out,
        "year:     {}",
        report
            .year
            .map_or("(unknown)".to_string(), |y| y.to_string())
    )?;
    writeln!(out, "template: {}", report.template.as_str())?;
    writeln!(
        out,
        "input:    {} ({})",
        report.format.as_str(),
        report.encoding
    )?;
    if let Some(period) = &report.metadata.period {
        writeln!(out, "period:   {} to {}", period.start, period.end)?;
    }
    writeln!(out, "\nsections:")?;
    for section in &report.sections {
        let number = section.number.map_or("-".to_string(), |n| n.to_string());
        writeln!(
            out,
            "  {number}  {} ({} characters)",
            section.title,
            section.text.chars().count()
        )?;
    }
    writeln!(out, "\ntables:")?;
    for table in &report.tables {
        writeln!(
            out,
            "  {} {:<12} version {:<7} {}/{} cells found, {} extra",
            table.table.chinese_name(),
            table.table.as_str(),
            table.version.as_str(),
            table.found,
            table.expected,
            table.extra
        )?;
    }
    if !report.narrative.is_empty() {
        writeln!(out, "\nrestated in the text:")?;
        for figure in &report.narrative {
            let at = figure
                .location
                .and_then(|l| l.line)
                .map(|line| format!(" (line {line})"))
                .unwrap_or_default();
            let keys = match figure.keys.as_slice() {
                [first, second, _, ..] => {
                    format!("{first} + {second} + {} more", figure.keys.len() - 2)
                }
                keys => keys.join(" + "),
            };
            writeln!(
                out,
                "  {:<10} {:<12} {keys}{at}",
                figure.scope.as_str(),
                figure.text,
            )?;
        }
    }
    let count = |o: Outcome| report.checks.iter().filter(|c| c.outcome == o).count();
    writeln!(
        out,
        "\nchecks:   {} passed, {} failed, {} not assessable",
        count(Outcome::Passed),
        count(Outcome::Failed),
        count(Outcome::NotAssessable)
    )?;
    writeln!(out)?;
    findings(report, false, out)
}

/// Findings, most serious first; informational ones only when `all`.
pub fn findings(report: &Report, all: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let mut shown: Vec<_> = report
        .findings
        .iter()
        .filter(|f| all || f.severity > Severity::Info)
        .collect();
    shown.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for finding in &shown {
        let at = finding
            .location
            .and_then(|l| l.line.map(|line| format!(" (line {line})")))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<7} {:<22} {}{at}",
            finding.severity.as_str(),
            finding.rule,
            finding.message
        )?;
    }
    let hidden = report.findings.len() - shown.len();
    if hidden > 0 {
        writeln!(
            out,
            "({hidden} informational findings not shown; use --all)"
        )?;
    }
    if report.findings.is_empty() {
        writeln!(out, "no findings")?;
    }
    Ok(())
}
