//! `xxgk view`: one report as a self-contained HTML page (inline CSS and a little plain JS, no
//! network): metadata, the six sections, 表二/表三/表四 in the official form's layout with every
//! cell coloured and marked by its status, each failed rule drawn on its cells with its arithmetic,
//! and every finding linked to its cells. For a text input, a cell's source line shows on click.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use xxgk::{Cell, CellStatus, KeyInfo, Outcome, Report, Severity, StatTable, Template};

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A key as an element id.
fn cell_id(key: &str) -> String {
    format!("cell-{}", key.replace('.', "-"))
}

/// The symbol and the words that say a status (colour is never the only signal).
fn status_mark(cell: &Cell) -> (&'static str, &'static str, &'static str) {
    if cell.evidence.is_some() {
        return ("recovered", "⚑", "recovered");
    }
    match cell.status {
        CellStatus::Number => ("number", "", "number"),
        CellStatus::Blank => ("blank", "∅", "blank"),
        CellStatus::Placeholder => ("placeholder", "·", "placeholder"),
        CellStatus::Ambiguous => ("ambiguous", "?", "ambiguous"),
        CellStatus::Unreadable => ("unreadable", "✗", "unreadable"),
        CellStatus::Missing => ("missing", "—", "missing"),
        _ => ("unreadable", "✗", "other"),
    }
}

/// Where a cell is, in words.
fn location_text(cell: &Cell) -> String {
    let Some(l) = cell.location else {
        return "not in the source".to_string();
    };
    let mut parts = Vec::new();
    if let Some(page) = l.page {
        parts.push(format!("page {page}"));
    }
    if let (Some(line), Some(column)) = (l.line, l.column) {
        parts.push(format!("line {line}, column {column}"));
    }
    if let (Some(t), Some(r), Some(c)) = (l.table, l.row, l.cell) {
        parts.push(format!("table {t}, row {r}, cell {c}"));
    }
    if parts.is_empty() {
        "in the source".to_string()
    } else {
        parts.join("; ")
    }
}

/// What a cell shows, and its details for the tooltip and the panel.
struct CellView<'a> {
    cell: &'a Cell,
    label: String,
    failing: Vec<String>,
}

impl CellView<'_> {
    fn td(&self, out: &mut String) {
        let cell = self.cell;
        let (class, symbol, words) = status_mark(cell);
        let shown = match (cell.status, cell.value, cell.raw.as_deref()) {
            (CellStatus::Number, Some(v), _) => v.to_string(),
            (CellStatus::Ambiguous, _, _) => cell
                .candidates
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" / "),
            (_, _, Some(raw)) => raw.trim().chars().take(12).collect(),
            _ => String::new(),
        };
        let mut title = format!("{} ({})\nstatus: {words}", self.label, cell.key);
        if let Some(raw) = &cell.raw {
            let _ = write!(title, "\nas written: {raw}");
        }
        if !cell.candidates.is_empty() {
            let candidates: Vec<String> = cell.candidates.iter().map(|c| c.to_string()).collect();
            let _ = write!(title, "\ncould be: {}", candidates.join(", "));
        }
        if let Some(evidence) = cell.evidence {
            let _ = write!(
                title,
                "\nsettled by: {}",
                match evidence.as_str() {
                    "form" => "the form's sums",
                    "narrative" => "the report's own text",
                    other => other,
                }
            );
        }
        let _ = write!(title, "\n{}", location_text(cell));
        if !self.failing.is_empty() {
            let _ = write!(title, "\nfails: {}", self.failing.join(", "));
        }
        let fails = if self.failing.is_empty() {
            ""
        } else {
            " fails"
        };
        let line = cell
            .location
            .and_then(|l| l.line)
            .map(|l| format!(" data-line=\"{l}\""))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<td id=\"{}\" class=\"cell st-{class}{fails}\" title=\"{}\" tabindex=\"0\"{line}>",
            cell_id(&cell.key),
            esc(&title)
        );
        if !symbol.is_empty() {
            let _ = write!(
                out,
                "<span class=\"sym\" aria-label=\"{words}\">{symbol}</span>"
            );
        }
        let _ = write!(out, "{}", esc(&shown));
        if !self.failing.is_empty() {
            let _ = write!(
                out,
                "<span class=\"fail-mark\" aria-label=\"fails {}\">✱</span>",
                esc(&self.failing.join(", "))
            );
        }
        out.push_str("</td>");
    }
}

/// The report's cells by key, with labels and the rules failing on each.
struct Cells<'a> {
    views: HashMap<&'a str, CellView<'a>>,
}

impl<'a> Cells<'a> {
    fn new(report: &'a Report, book: &[KeyInfo]) -> Cells<'a> {
        let labels: HashMap<&str, String> = book
            .iter()
            .map(|k| (k.key, format!("{}·{}", k.row_label, k.column_label)))
            .collect();
        let mut failing: HashMap<&str, Vec<String>> = HashMap::new();
        for check in report
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Failed)
        {
            for key in &check.cells {
                failing
                    .entry(key.as_str())
                    .or_default()
                    .push(format!("{} {}", check.rule, check.scope));
            }
        }
        let views = report
            .cells
            .iter()
            .map(|cell| {
                let label = labels.get(cell.key.as_str()).cloned().unwrap_or_else(|| {
                    format!(
                        "{}·{}",
                        cell.row_label.as_deref().unwrap_or("?"),
                        cell.column_label.as_deref().unwrap_or("?")
                    )
                });
                let view = CellView {
                    cell,
                    label,
                    failing: failing.remove(cell.key.as_str()).unwrap_or_default(),
                };
                (cell.key.as_str(), view)
            })
            .collect();
        Cells { views }
    }

    fn td(&self, key: &str, out: &mut String) {
        match self.views.get(key) {
            Some(view) => view.td(out),
            None => out.push_str("<td class=\"cell st-absent\">n/a</td>"),
        }
    }
}

/// The keys of `table` in the report's version of it, in that version's form order, with the
/// column labels of that version.
fn version_keys(book: &[KeyInfo], table: StatTable, version: Template) -> Vec<KeyInfo> {
    let order = xxgk::canonical_keys(version);
    order
        .iter()
        .filter_map(|key| book.iter().find(|k| k.key == *key && k.table == table))
        .map(|info| {
            let mut info = info.clone();
            // A label that differs between the versions is given as both: keep this version's.
            let suffix = format!("（{}）", version.as_str());
            if let Some(own) = info
                .column_label
                .split(" / ")
                .find(|l| l.ends_with(&suffix))
            {
                info.column_label = own.trim_end_matches(&suffix).to_string();
            }
            info
        })
        .collect()
}

/// 表二: blocks of rows that share their columns, each under a header row of 信息内容 and the
/// columns' labels, as the form prints them.
fn active_table(keys: &[KeyInfo], cells: &Cells, out: &mut String) {
    // (row label, [(column label, key)]) in form order.
    let mut rows: Vec<(String, Vec<(String, &str)>)> = Vec::new();
    for key in keys {
        match rows.last_mut() {
            Some((row, columns)) if *row == key.row_label => {
                columns.push((key.column_label.clone(), key.key))
            }
            _ => rows.push((
                key.row_label.clone(),
                vec![(key.column_label.clone(), key.key)],
            )),
        }
    }
    out.push_str("<table class=\"form\"><caption>表二 主动公开政府信息情况</caption>");
    let mut previous: Option<Vec<String>> = None;
    for (row, columns) in &rows {
        let labels: Vec<String> = columns.iter().map(|(l, _)| l.clone()).collect();
        if previous.as_ref() != Some(&labels) {
            out.push_str("<tr><th scope=\"col\">信息内容</th>");
            for label in &labels {
                let _ = write!(out, "<th scope=\"col\">{}</th>", esc(label));
            }
            out.push_str("</tr>");
            previous = Some(labels);
        }
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(row));
        for (_, key) in columns {
            cells.td(key, out);
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// 表三: the applicant columns under 申请人情况 and 法人或其他组织, the outcome rows under
/// 三、本年度办理结果 and their groups, with the form's merged label cells.
fn applications_table(keys: &[KeyInfo], cells: &Cells, out: &mut String) {
    let mut rows: Vec<(String, Option<&str>, Vec<&str>)> = Vec::new();
    for key in keys {
        match rows.last_mut() {
            Some((row, _, columns)) if *row == key.row_label => columns.push(key.key),
            _ => rows.push((key.row_label.clone(), key.row_group, vec![key.key])),
        }
    }
    out.push_str("<table class=\"form\"><caption>表三 收到和处理政府信息公开申请情况</caption>");
    out.push_str(
        "<tr><th colspan=\"3\" rowspan=\"3\" scope=\"col\" class=\"note\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>\
         <th colspan=\"7\" scope=\"colgroup\">申请人情况</th></tr>\
         <tr><th rowspan=\"2\" scope=\"col\">自然人</th><th colspan=\"5\" scope=\"colgroup\">法人或其他组织</th><th rowspan=\"2\" scope=\"col\">总计</th></tr>\
         <tr><th scope=\"col\">商业企业</th><th scope=\"col\">科研机构</th><th scope=\"col\">社会公益组织</th><th scope=\"col\">法律服务机构</th><th scope=\"col\">其他</th></tr>",
    );
    // The outcome rows: from 予以公开 up to （七）总计 (everything between the first two and the last).
    let outcomes = rows.len().saturating_sub(3);
    let mut i = 0;
    while i < rows.len() {
        let (label, group, columns) = &rows[i];
        out.push_str("<tr>");
        let inside = i >= 2 && i < 2 + outcomes;
        if i == 2 {
            let _ = write!(
                out,
                "<th rowspan=\"{outcomes}\" scope=\"rowgroup\" class=\"group\">三、本年度办理结果</th>"
            );
        }
        match group {
            Some(group) if inside => {
                let first = i == 0 || rows[i - 1].1 != Some(*group);
                if first {
                    let span = rows[i..].iter().take_while(|r| r.1 == Some(*group)).count();
                    let _ = write!(
                        out,
                        "<th rowspan=\"{span}\" scope=\"rowgroup\" class=\"group\">{}</th>",
                        esc(group)
                    );
                }
                let _ = write!(out, "<th scope=\"row\">{}</th>", esc(label));
            }
            _ if inside => {
                let _ = write!(out, "<th colspan=\"2\" scope=\"row\">{}</th>", esc(label));
            }
            _ => {
                let _ = write!(out, "<th colspan=\"3\" scope=\"row\">{}</th>", esc(label));
            }
        }
        for key in columns {
            cells.td(key, out);
        }
        out.push_str("</tr>");
        i += 1;
    }
    out.push_str("</table>");
}

/// 表四: 行政复议 and 行政诉讼 (未经复议直接起诉, 复议后起诉), five outcomes each, one row.
fn appeals_table(keys: &[KeyInfo], cells: &Cells, out: &mut String) {
    out.push_str(
        "<table class=\"form\"><caption>表四 政府信息公开行政复议、行政诉讼情况</caption>",
    );
    out.push_str("<tr><th colspan=\"5\" scope=\"colgroup\">行政复议</th><th colspan=\"10\" scope=\"colgroup\">行政诉讼</th></tr>");
    out.push_str("<tr>");
    let review: Vec<&KeyInfo> = keys
        .iter()
        .filter(|k| !k.key.contains("litigation"))
        .collect();
    for key in &review {
        let _ = write!(
            out,
            "<th rowspan=\"2\" scope=\"col\">{}</th>",
            esc(&key.column_label)
        );
    }
    out.push_str("<th colspan=\"5\" scope=\"colgroup\">未经复议直接起诉</th><th colspan=\"5\" scope=\"colgroup\">复议后起诉</th></tr><tr>");
    for key in keys.iter().filter(|k| k.key.contains("litigation")) {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(&key.column_label));
    }
    out.push_str("</tr><tr>");
    for key in keys {
        cells.td(key.key, out);
    }
    out.push_str("</tr></table>");
}

const STYLE: &str = r#"
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:1.5em auto;max-width:1200px;color:#1b1b1b;line-height:1.5}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dl.meta dt{font-weight:bold}
table.form{border-collapse:collapse;margin:1em 0;font-size:.9em}
table.form caption{font-weight:bold;text-align:left;padding:.3em 0}
table.form th,table.form td{border:1px solid #555;padding:.25em .45em;text-align:center}
table.form th{background:#f1f1f1;font-weight:normal}table.form th[scope=row]{text-align:left}
th.note{font-size:.8em;color:#444}th.group{width:3.2em}
td.cell{min-width:2.6em;cursor:pointer}
.st-number{background:#fff}.st-blank{background:#eef3f8;color:#345}.st-placeholder{background:#f3f3e6}
.st-recovered{background:#e6f4ea}.st-ambiguous{background:#fff4cc}.st-unreadable{background:#fde2cf}
.st-missing{background:#e6e6e6;color:#666}.st-absent{background:#fafafa;color:#999}
td.fails{outline:3px solid #c00;outline-offset:-3px}.fail-mark{color:#c00;font-weight:bold;margin-left:.15em}
.sym{font-weight:bold;margin-right:.2em}.hl{box-shadow:inset 0 0 0 4px #1a73e8}
ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em}ul.legend li{border:1px solid #999;padding:.1em .5em}
.rule{border-left:4px solid #c00;padding:.3em .7em;margin:.5em 0;background:#fff6f6}
.findings li{margin:.3em 0}.sev-error{color:#b00}.sev-warning{color:#8a5a00}.sev-info{color:#555}
.section-text{white-space:pre-wrap}
#panel{position:sticky;bottom:0;background:#fffbe6;border:1px solid #d8c36a;padding:.5em .8em;margin-top:1em}
#panel pre{white-space:pre-wrap;margin:.3em 0;background:#fff;padding:.3em}
@media print{#panel{display:none}td.fails{outline:2px solid #000}a{color:inherit}}
"#;

const SCRIPT: &str = r#"
(function(){
  var lines = JSON.parse(document.getElementById('source-lines').textContent);
  var panel = document.getElementById('panel');
  function show(td){
    var text = td.getAttribute('title');
    var line = td.getAttribute('data-line');
    var html = '<strong>' + td.id.replace('cell-','') + '</strong><pre></pre>';
    panel.innerHTML = html;
    var pre = panel.querySelector('pre');
    pre.textContent = text + (line && lines[line] !== undefined ? '\nsource line ' + line + ': ' + lines[line] : '');
    panel.hidden = false;
  }
  document.querySelectorAll('td.cell[id]').forEach(function(td){
    td.addEventListener('click', function(){ show(td); });
    td.addEventListener('keydown', function(e){ if (e.key === 'Enter') show(td); });
  });
  document.querySelectorAll('[data-cells]').forEach(function(item){
    var ids = item.getAttribute('data-cells').split(' ').filter(Boolean);
    function mark(on){ ids.forEach(function(id){ var td = document.getElementById(id); if (td) td.classList.toggle('hl', on); }); }
    item.addEventListener('mouseenter', function(){ mark(true); });
    item.addEventListener('mouseleave', function(){ mark(false); });
    item.addEventListener('focusin', function(){ mark(true); });
    item.addEventListener('focusout', function(){ mark(false); });
  });
})();
"#;

/// The lines of the decoded source that cells point at (line number → text), for the panel.
fn source_lines(report: &Report, source: &[u8]) -> BTreeMap<u32, String> {
    let wanted: std::collections::BTreeSet<u32> = report
        .cells
        .iter()
        .filter_map(|c| c.location.and_then(|l| l.line))
        .collect();
    if wanted.is_empty() {
        return BTreeMap::new();
    }
    let Some(encoding) = encoding_rs::Encoding::for_label(report.encoding.as_bytes()) else {
        return BTreeMap::new();
    };
    let (text, _, _) = encoding.decode(source);
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let number = u32::try_from(i + 1).ok()?;
            // A crawl puts a whole table on one line: keep what a reader can take in.
            wanted
                .contains(&number)
                .then(|| (number, line.chars().take(400).collect()))
        })
        .collect()
}

/// The report as one HTML page. `source` is the file's bytes, for the source lines of cells.
pub fn page(report: &Report, source: &[u8], file: &str) -> String {
    let book = xxgk::codebook();
    let cells = Cells::new(report, &book);
    let mut out = String::with_capacity(64 * 1024);
    let title = report
        .title
        .clone()
        .or_else(|| {
            report.agency.as_ref().map(|a| {
                format!(
                    "{a} {}",
                    report.year.map(|y| y.to_string()).unwrap_or_default()
                )
            })
        })
        .unwrap_or_else(|| file.to_string());
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&title)
    );
    let _ = write!(out, "<h1>{}</h1>", esc(&title));
    let found: usize = report.tables.iter().map(|t| t.found).sum();
    let expected: usize = report.tables.iter().map(|t| t.expected).sum();
    let count = |o: Outcome| report.checks.iter().filter(|c| c.outcome == o).count();
    let severity = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    out.push_str("<dl class=\"meta\">");
    let mut meta = |name: &str, value: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(name), esc(&value));
    };
    meta("file", file.to_string());
    meta(
        "agency",
        report.agency.clone().unwrap_or_else(|| "unknown".into()),
    );
    meta(
        "year",
        report
            .year
            .map_or_else(|| "unknown".into(), |y| y.to_string()),
    );
    meta("template", report.template.as_str().to_string());
    meta(
        "format",
        format!("{} ({})", report.format.as_str(), report.encoding),
    );
    if let Some(period) = &report.metadata.period {
        meta("period", format!("{} – {}", period.start, period.end));
    }
    meta("cells", format!("{found} of {expected} found"));
    meta(
        "rules",
        format!(
            "{} passed, {} failed, {} not assessable",
            count(Outcome::Passed),
            count(Outcome::Failed),
            count(Outcome::NotAssessable)
        ),
    );
    meta(
        "findings",
        format!(
            "{} errors, {} warnings, {} notes",
            severity(Severity::Error),
            severity(Severity::Warning),
            severity(Severity::Info)
        ),
    );
    for indicator in &report.indicators {
        meta(
            &indicator.name,
            match (indicator.value, &indicator.note) {
                (Some(v), _) => format!(
                    "{:.1}% ({} / {})",
                    v * 100.0,
                    indicator
                        .numerator
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    indicator
                        .denominator
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
                (None, Some(note)) => format!("none: {note}"),
                (None, None) => "none".into(),
            },
        );
    }
    out.push_str("</dl>");

    // Sections first, as the report prints them; the tables follow with their checks.
    out.push_str("<h2>Sections</h2>");
    for section in &report.sections {
        let _ = write!(out, "<h3>{}</h3>", esc(&section.title));
        if !section.text.is_empty() {
            let _ = write!(
                out,
                "<details><summary>text ({} characters)</summary><div class=\"section-text\">{}</div></details>",
                section.text.chars().count(),
                esc(&section.text)
            );
        }
    }

    out.push_str("<h2>Tables</h2><ul class=\"legend\" aria-label=\"cell statuses\">");
    for (class, symbol, words) in [
        ("number", "", "number"),
        ("blank", "∅", "blank"),
        ("placeholder", "·", "placeholder (-, /, 无)"),
        (
            "recovered",
            "⚑",
            "recovered from a fused run (form or narrative)",
        ),
        ("ambiguous", "?", "ambiguous: its candidates"),
        ("unreadable", "✗", "unreadable"),
        ("missing", "—", "missing"),
    ] {
        let _ = write!(
            out,
            "<li class=\"st-{class}\"><span class=\"sym\">{symbol}</span>{words}</li>"
        );
    }
    out.push_str("<li class=\"fails\">✱ in a failed rule</li></ul>");
    for info in &report.tables {
        let keys = version_keys(&book, info.table, info.version);
        match info.table {
            StatTable::Active => active_table(&keys, &cells, &mut out),
            StatTable::Applications => applications_table(&keys, &cells, &mut out),
            StatTable::Appeals => appeals_table(&keys, &cells, &mut out),
        }
        // The failed rules of this table, their arithmetic beside it.
        let prefix = format!("{}.", info.table.as_str());
        for finding in report.findings.iter().filter(|f| {
            f.severity == Severity::Error && f.cells.first().is_some_and(|k| k.starts_with(&prefix))
        }) {
            let ids: Vec<String> = finding.cells.iter().map(|k| cell_id(k)).collect();
            let _ = write!(
                out,
                "<div class=\"rule\" data-cells=\"{}\" tabindex=\"0\"><strong>{} fails</strong>: {}</div>",
                ids.join(" "),
                esc(&finding.rule),
                esc(&finding.message)
            );
        }
    }
    let extras: Vec<&Cell> = report
        .cells
        .iter()
        .filter(|c| c.key.starts_with("extra."))
        .collect();
    if !extras.is_empty() {
        out.push_str("<table class=\"form\"><caption>Cells beyond the form</caption><tr><th scope=\"col\">row</th><th scope=\"col\">column</th><th scope=\"col\">value</th></tr>");
        for cell in extras {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><th scope=\"row\">{}</th>",
                esc(cell.row_label.as_deref().unwrap_or("")),
                esc(cell.column_label.as_deref().unwrap_or(""))
            );
            cells.td(&cell.key, &mut out);
            out.push_str("</tr>");
        }
        out.push_str("</table>");
    }

    out.push_str("<h2>Findings</h2><ul class=\"findings\">");
    for finding in &report.findings {
        let links: Vec<String> = finding
            .cells
            .iter()
            .take(12)
            .map(|k| format!("<a href=\"#{}\">{}</a>", cell_id(k), esc(k)))
            .collect();
        let ids: Vec<String> = finding.cells.iter().map(|k| cell_id(k)).collect();
        let _ = write!(
            out,
            "<li class=\"sev-{}\" data-cells=\"{}\"><strong>{} {}</strong> {} {}</li>",
            finding.severity.as_str(),
            ids.join(" "),
            finding.severity.as_str(),
            esc(&finding.rule),
            esc(&finding.message),
            links.join(" ")
        );
    }
    out.push_str("</ul><div id=\"panel\" hidden></div>");
    let lines = source_lines(report, source);
    let json = serde_json::to_string(&lines).unwrap_or_else(|_| "{}".into());
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"source-lines\">{}</script><script>{SCRIPT}</script></body></html>",
        json.replace('<', "\\u003c")
    );
    out
}
