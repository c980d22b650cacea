//! `xxgk summary`: an import at a glance — files by status and format, why files failed, reports
//! by year and template, how often each rule fails by year, and three plots (applications
//! received per report, the disclosure rate by year, review and litigation outcomes by year) —
//! as text, or as one self-contained HTML page with the plots as inline SVG drawn by `plotters`.

use crate::view::esc;
use plotters::prelude::*;
use rusqlite::params;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use xxgk::store::Store;

/// Everything the summary shows, read from the database.
pub struct Summary {
    files_by_status: Vec<(String, i64)>,
    files_by_format: Vec<(String, i64)>,
    failure_reasons: Vec<(String, i64)>,
    /// year → template → chosen reports.
    reports: BTreeMap<String, BTreeMap<String, i64>>,
    templates: Vec<String>,
    copies: i64,
    /// rule → year → (reports where it fails, reports of that year with tables).
    rule_failures: BTreeMap<String, BTreeMap<String, (i64, i64)>>,
    /// Applications received (表三 总计) of each chosen report that has the number.
    received: Vec<i64>,
    /// year → (Σ granted in full or in part, Σ processed, reports counted).
    disclosure: BTreeMap<i64, (f64, f64, i64)>,
    /// year → [review upheld, corrected, other, pending, litigation upheld, corrected, other, pending].
    appeals: BTreeMap<i64, [i64; 8]>,
}

/// The reports the panel counts: chosen copies of files still there.
const CHOSEN: &str = "r.copy_of IS NULL AND EXISTS (SELECT 1 FROM files f WHERE f.report_id = r.id AND f.status <> 'missing')";

fn pairs(store: &Store, sql: &str) -> anyhow::Result<Vec<(String, i64)>> {
    let mut statement = store.connection().prepare(sql)?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?
                .unwrap_or_else(|| "unknown".into()),
            r.get(1)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Summary {
    /// Reads the figures from an import's database.
    pub fn read(store: &Store) -> anyhow::Result<Summary> {
        let conn = store.connection();
        let files_by_status = pairs(
            store,
            "SELECT status, count(*) FROM files GROUP BY status ORDER BY count(*) DESC",
        )?;
        let files_by_format = pairs(
            store,
            "SELECT format, count(*) FROM files GROUP BY format ORDER BY count(*) DESC",
        )?;
        let failure_reasons = pairs(
            store,
            "SELECT reason, count(*) FROM files WHERE status = 'failed' GROUP BY reason ORDER BY count(*) DESC LIMIT 10",
        )?;
        let mut reports: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        let mut templates: Vec<String> = Vec::new();
        {
            let mut statement = conn.prepare(&format!(
                "SELECT CAST(r.year AS TEXT), r.template, count(*) FROM reports r WHERE {CHOSEN} GROUP BY 1, 2"
            ))?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let year: String = row
                    .get::<_, Option<String>>(0)?
                    .unwrap_or_else(|| "unknown".into());
                let template: String = row.get(1)?;
                if !templates.contains(&template) {
                    templates.push(template.clone());
                }
                *reports
                    .entry(year)
                    .or_default()
                    .entry(template)
                    .or_default() += row.get::<_, i64>(2)?;
            }
        }
        templates.sort();
        let copies: i64 = conn.query_row(
            "SELECT count(*) FROM reports WHERE copy_of IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        let mut rule_failures: BTreeMap<String, BTreeMap<String, (i64, i64)>> = BTreeMap::new();
        {
            let mut with_tables: BTreeMap<String, i64> = BTreeMap::new();
            let mut statement = conn.prepare(&format!(
                "SELECT CAST(r.year AS TEXT), count(*) FROM reports r WHERE {CHOSEN} AND r.cells_found > 0 GROUP BY 1"
            ))?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                with_tables.insert(
                    row.get::<_, Option<String>>(0)?
                        .unwrap_or_else(|| "unknown".into()),
                    row.get(1)?,
                );
            }
            let mut statement = conn.prepare(&format!(
                "SELECT x.rule, CAST(r.year AS TEXT), count(DISTINCT r.id) FROM findings x JOIN reports r ON r.id = x.report_id
                 WHERE {CHOSEN} AND (x.rule GLOB 'R[1-7]' OR x.rule GLOB 'X[1-3]')
                   AND (x.severity = 'error' OR (x.rule = 'X2' AND x.severity = 'warning'))
                 GROUP BY 1, 2"
            ))?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let year: String = row
                    .get::<_, Option<String>>(1)?
                    .unwrap_or_else(|| "unknown".into());
                let total = with_tables.get(&year).copied().unwrap_or(0);
                rule_failures
                    .entry(row.get(0)?)
                    .or_default()
                    .insert(year, (row.get(2)?, total));
            }
        }
        let received: Vec<i64> = {
            let mut statement = conn.prepare(&format!(
                "SELECT CAST(c.value_text AS INTEGER) FROM cells c JOIN reports r ON r.id = c.report_id
                 WHERE {CHOSEN} AND c.key = 'applications.new_received.total' AND c.status = 'number'"
            ))?;
            let rows = statement.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut disclosure: BTreeMap<i64, (f64, f64, i64)> = BTreeMap::new();
        {
            let mut statement = conn.prepare(&format!(
                "SELECT r.year, SUM(CAST(i.numerator AS REAL)), SUM(CAST(i.denominator AS REAL)), count(*)
                 FROM reports r JOIN indicators i ON i.report_id = r.id AND i.name = 'disclosure_rate'
                 WHERE {CHOSEN} AND r.year IS NOT NULL AND i.value IS NOT NULL GROUP BY r.year ORDER BY r.year"
            ))?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                disclosure.insert(row.get(0)?, (row.get(1)?, row.get(2)?, row.get(3)?));
            }
        }
        let mut appeals: BTreeMap<i64, [i64; 8]> = BTreeMap::new();
        {
            let outcomes = ["upheld", "corrected", "other", "pending"];
            let mut statement = conn.prepare(&format!(
                "SELECT r.year, c.key, SUM(CAST(c.value_text AS INTEGER)) FROM cells c JOIN reports r ON r.id = c.report_id
                 WHERE {CHOSEN} AND r.year IS NOT NULL AND c.status = 'number' AND c.tbl = 'appeals'
                 GROUP BY r.year, c.key"
            ))?;
            let mut rows = statement.query(params![])?;
            while let Some(row) = rows.next()? {
                let year: i64 = row.get(0)?;
                let key: String = row.get(1)?;
                let sum: i64 = row.get(2)?;
                let Some((group, outcome)) =
                    key.strip_prefix("appeals.").and_then(|k| k.split_once('.'))
                else {
                    continue;
                };
                let Some(o) = outcomes.iter().position(|x| *x == outcome) else {
                    continue;
                };
                let offset = if group == "review" { 0 } else { 4 };
                let slot = appeals.entry(year).or_default();
                slot[offset + o] = slot[offset + o].saturating_add(sum);
            }
        }
        Ok(Summary {
            files_by_status,
            files_by_format,
            failure_reasons,
            reports,
            templates,
            copies,
            rule_failures,
            received,
            disclosure,
            appeals,
        })
    }

    /// The figures as text.
    pub fn text(&self, out: &mut impl Write) -> anyhow::Result<()> {
        let join = |rows: &[(String, i64)]| {
            rows.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "files by status: {}", join(&self.files_by_status))?;
        writeln!(out, "files by format: {}", join(&self.files_by_format))?;
        for (reason, n) in &self.failure_reasons {
            writeln!(out, "  failed ×{n}: {reason}")?;
        }
        writeln!(
            out,
            "reports (one per report; {} further copies left out), by year and template:",
            self.copies
        )?;
        writeln!(out, "  {:<8} {}", "year", self.templates.join("\t"))?;
        for (year, by_template) in &self.reports {
            let counts: Vec<String> = self
                .templates
                .iter()
                .map(|t| by_template.get(t).copied().unwrap_or(0).to_string())
                .collect();
            writeln!(out, "  {year:<8} {}", counts.join("\t"))?;
        }
        writeln!(
            out,
            "rules failing (reports where the rule fails / reports of the year with tables):"
        )?;
        for (rule, years) in &self.rule_failures {
            let cells: Vec<String> = years
                .iter()
                .map(|(y, (n, total))| format!("{y} {n}/{total}"))
                .collect();
            writeln!(out, "  {rule}: {}", cells.join(", "))?;
        }
        writeln!(
            out,
            "applications received per report (表三 总计, {} reports): {}",
            self.received.len(),
            self.received_buckets()
                .iter()
                .map(|(l, n)| format!("{l}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(out, "disclosure rate by year ((予以公开 + 部分公开) / 总计, summed over reports where both are numbers):")?;
        for (year, (granted, processed, n)) in &self.disclosure {
            writeln!(
                out,
                "  {year}: {:.1}% ({granted} / {processed}, {n} reports)",
                rate(*granted, *processed) * 100.0
            )?;
        }
        writeln!(
            out,
            "review and litigation outcomes by year (upheld / corrected / other / pending):"
        )?;
        for (year, s) in &self.appeals {
            writeln!(
                out,
                "  {year}: review {} / {} / {} / {}; litigation {} / {} / {} / {}",
                s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
            )?;
        }
        Ok(())
    }

    /// Reports by applications received: 0, 1–9, 10–99, 100–999, 1000 and more.
    fn received_buckets(&self) -> Vec<(&'static str, i64)> {
        let mut buckets = vec![
            ("0", 0),
            ("1–9", 0),
            ("10–99", 0),
            ("100–999", 0),
            ("≥1000", 0),
        ];
        for &n in &self.received {
            let i = match n {
                i64::MIN..=0 => 0,
                1..=9 => 1,
                10..=99 => 2,
                100..=999 => 3,
                _ => 4,
            };
            buckets[i].1 += 1;
        }
        buckets
    }

    /// The figures as one self-contained HTML page.
    pub fn html(&self, db: &str) -> anyhow::Result<String> {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>xxgk import summary</title><style>{STYLE}</style></head><body><h1>Import summary</h1><p>{}</p>",
            esc(db)
        );
        let table = |out: &mut String, caption: &str, head: &[&str], rows: Vec<Vec<String>>| {
            let _ = write!(out, "<table><caption>{}</caption><tr>", esc(caption));
            for h in head {
                let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
            }
            out.push_str("</tr>");
            for row in rows {
                out.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    if i == 0 {
                        let _ = write!(out, "<th scope=\"row\">{}</th>", esc(cell));
                    } else {
                        let _ = write!(out, "<td>{}</td>", esc(cell));
                    }
                }
                out.push_str("</tr>");
            }
            out.push_str("</table>");
        };
        let counted = |rows: &[(String, i64)]| {
            rows.iter()
                .map(|(k, n)| vec![k.clone(), n.to_string()])
                .collect::<Vec<_>>()
        };
        out.push_str("<section class=\"grid\">");
        table(
            &mut out,
            "Files by status",
            &["status", "files"],
            counted(&self.files_by_status),
        );
        table(
            &mut out,
            "Files by format",
            &["format", "files"],
            counted(&self.files_by_format),
        );
        out.push_str("</section>");
        table(
            &mut out,
            "Why files failed (the 10 commonest reasons)",
            &["reason", "files"],
            counted(&self.failure_reasons),
        );
        let mut head = vec!["year"];
        head.extend(self.templates.iter().map(String::as_str));
        table(
            &mut out,
            &format!(
                "Reports by year and template (one per report: {} further copies left out)",
                self.copies
            ),
            &head,
            self.reports
                .iter()
                .map(|(year, by)| {
                    let mut row = vec![year.clone()];
                    row.extend(
                        self.templates
                            .iter()
                            .map(|t| by.get(t).copied().unwrap_or(0).to_string()),
                    );
                    row
                })
                .collect(),
        );
        let years: Vec<String> = {
            let mut y: Vec<String> = self
                .rule_failures
                .values()
                .flat_map(|m| m.keys().cloned())
                .collect();
            y.sort();
            y.dedup();
            y
        };
        let mut head = vec!["rule"];
        head.extend(years.iter().map(String::as_str));
        table(
            &mut out,
            "Reports where a rule fails, of the year's reports with tables",
            &head,
            self.rule_failures
                .iter()
                .map(|(rule, by)| {
                    let mut row = vec![rule.clone()];
                    row.extend(years.iter().map(|y| {
                        by.get(y).map_or("0".into(), |(n, total)| {
                            format!(
                                "{n} / {total} ({:.0}%)",
                                rate(*n as f64, *total as f64) * 100.0
                            )
                        })
                    }));
                    row
                })
                .collect(),
        );
        out.push_str("<h2>Plots</h2>");
        let buckets = self.received_buckets();
        let _ = write!(out, "<figure>{}<figcaption>Applications received per report (表三 本年新收 总计), {} reports</figcaption></figure>", self.received_plot(&buckets)?, self.received.len());
        table(
            &mut out,
            "Applications received per report",
            &["received", "reports"],
            buckets
                .iter()
                .map(|(l, n)| vec![l.to_string(), n.to_string()])
                .collect(),
        );
        let _ = write!(out, "<figure>{}<figcaption>Disclosure rate by year: (予以公开 + 部分公开) / (七)总计, summed over the reports where both are numbers</figcaption></figure>", self.disclosure_plot()?);
        table(
            &mut out,
            "Disclosure rate by year",
            &["year", "rate", "granted", "processed", "reports"],
            self.disclosure
                .iter()
                .map(|(y, (g, p, n))| {
                    vec![
                        y.to_string(),
                        format!("{:.1}%", rate(*g, *p) * 100.0),
                        g.to_string(),
                        p.to_string(),
                        n.to_string(),
                    ]
                })
                .collect(),
        );
        let _ = write!(out, "<figure>{}<figcaption>Outcomes of administrative review (rev) and litigation (lit: direct and after review) by year, stacked</figcaption></figure>", self.appeals_plot()?);
        table(
            &mut out,
            "Review and litigation outcomes by year",
            &[
                "year",
                "review upheld",
                "corrected",
                "other",
                "pending",
                "litigation upheld",
                "corrected",
                "other",
                "pending",
            ],
            self.appeals
                .iter()
                .map(|(y, s)| {
                    std::iter::once(y.to_string())
                        .chain(s.iter().map(|v| v.to_string()))
                        .collect()
                })
                .collect(),
        );
        out.push_str("</body></html>");
        Ok(out)
    }

    fn received_plot(&self, buckets: &[(&'static str, i64)]) -> anyhow::Result<String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
            root.fill(&WHITE)?;
            let top = buckets.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(48)
                .build_cartesian_2d(
                    (0..buckets.len().saturating_sub(1)).into_segmented(),
                    0..top + top / 10 + 1,
                )?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc("applications received")
                .y_desc("reports")
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 14))
                .x_label_formatter(&|x| match x {
                    SegmentValue::CenterOf(i) => {
                        buckets.get(*i).map_or(String::new(), |b| b.0.to_string())
                    }
                    _ => String::new(),
                })
                .draw()?;
            chart.draw_series(buckets.iter().enumerate().map(|(i, (_, n))| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0),
                        (SegmentValue::Exact(i + 1), *n),
                    ],
                    BLUE.mix(0.6).filled(),
                );
                bar.set_margin(0, 0, 8, 8);
                bar
            }))?;
            root.present()?;
        }
        Ok(with_title(svg, "Applications received per report"))
    }

    fn disclosure_plot(&self) -> anyhow::Result<String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
            root.fill(&WHITE)?;
            let (first, last) = match (
                self.disclosure.keys().next(),
                self.disclosure.keys().next_back(),
            ) {
                (Some(a), Some(b)) => (*a, *b),
                _ => (2019, 2020),
            };
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(48)
                .build_cartesian_2d(first..last.max(first + 1), 0.0..1.0)?;
            chart
                .configure_mesh()
                .x_desc("year")
                .y_desc("disclosure rate")
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 14))
                .x_labels(((last - first) as usize + 1).min(12))
                .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
                .draw()?;
            let points: Vec<(i64, f64)> = self
                .disclosure
                .iter()
                .map(|(y, (g, p, _))| (*y, rate(*g, *p)))
                .collect();
            chart.draw_series(LineSeries::new(points.clone(), BLUE.stroke_width(2)))?;
            chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, BLUE.filled())))?;
            root.present()?;
        }
        Ok(with_title(svg, "Disclosure rate by year"))
    }

    fn appeals_plot(&self) -> anyhow::Result<String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (760, 360)).into_drawing_area();
            root.fill(&WHITE)?;
            let years: Vec<i64> = self.appeals.keys().copied().collect();
            let top = self
                .appeals
                .values()
                .map(|s| s[..4].iter().sum::<i64>().max(s[4..].iter().sum()))
                .max()
                .unwrap_or(0)
                .max(1);
            // Two bars a year: review, then litigation (direct and after review together).
            let bars_count = (years.len() * 2).max(1);
            let mut chart = ChartBuilder::on(&root)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(48)
                .build_cartesian_2d(
                    (0..bars_count.saturating_sub(1)).into_segmented(),
                    0..top + top / 10 + 1,
                )?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc("year: review (rev), litigation (lit)")
                .y_desc("cases")
                .label_style(("sans-serif", 13))
                .axis_desc_style(("sans-serif", 14))
                .x_labels(bars_count)
                .x_label_formatter(&|x| match x {
                    SegmentValue::CenterOf(i) => years.get(*i / 2).map_or(String::new(), |y| {
                        format!("{y} {}", if i % 2 == 0 { "rev" } else { "lit" })
                    }),
                    _ => String::new(),
                })
                .draw()?;
            let colours = [GREEN.mix(0.7), RED.mix(0.7), BLUE.mix(0.5), BLACK.mix(0.3)];
            let names = ["upheld", "corrected", "other", "pending"];
            for (o, name) in names.iter().enumerate() {
                let colour = colours[o];
                let mut bars = Vec::new();
                for (i, year) in years.iter().enumerate() {
                    let s = self.appeals[year];
                    for (side, offset) in [(0usize, 0usize), (1, 4)] {
                        let below: i64 = s[offset..offset + o].iter().sum();
                        let value = s[offset + o];
                        let at = i * 2 + side;
                        let mut bar = Rectangle::new(
                            [
                                (SegmentValue::Exact(at), below),
                                (SegmentValue::Exact(at + 1), below + value),
                            ],
                            colour.filled(),
                        );
                        bar.set_margin(0, 0, 4, 4);
                        bars.push(bar);
                    }
                }
                chart.draw_series(bars)?.label(*name).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
                });
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .label_font(("sans-serif", 14))
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()?;
            root.present()?;
        }
        Ok(with_title(svg, "Review and litigation outcomes by year"))
    }
}

/// `numerator / denominator`, 0 for a zero denominator.
fn rate(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

/// An SVG with a `<title>` and `role="img"`, for screen readers.
fn with_title(svg: String, title: &str) -> String {
    match svg.find("<svg") {
        Some(start) => match svg[start..].find('>') {
            Some(end) => {
                let at = start + end + 1;
                format!(
                    "{} role=\"img\" aria-label=\"{}\">{}{}",
                    &svg[..at - 1],
                    esc(title),
                    format_args!("<title>{}</title>", esc(title)),
                    &svg[at..]
                )
            }
            None => svg,
        },
        None => svg,
    }
}

const STYLE: &str = r#"
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:1.5em auto;max-width:1100px;color:#1b1b1b}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}caption{font-weight:bold;text-align:left;padding:.3em 0}
th,td{border:1px solid #888;padding:.25em .5em;text-align:right}th[scope=row]{text-align:left;font-weight:normal;background:#f6f6f6}
th[scope=col]{background:#eee}section.grid{display:flex;gap:2em;flex-wrap:wrap}figure{margin:1.5em 0}
figcaption{font-size:.9em;color:#333}
"#;
