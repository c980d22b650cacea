//! Inputs that were quadratic once, at three sizes each: time per byte must stay flat.
//!
//! `cargo bench --bench hostile`: a crawl with the whole report on one line (cell locations in a
//! very long line), prose dense with restated figures, an HTML tag soup, a wide pipe table on few lines, and a Word
//! table whose columns are merged down many rows, and a PDF page dense with text lines and rules. Criterion reports MB/s (Throughput::Bytes):
//! linear code gives the same MB/s at every size.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow, VMergeType};
use std::hint::black_box;
use std::path::Path;

fn seed() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/000_500855b189a022d6.txt"),
    )
    .unwrap()
}

/// The seed's text with its line breaks removed, repeated to about `bytes`.
fn one_line(bytes: usize) -> String {
    let flat: String = seed().replace(['\n', '\t'], "");
    flat.repeat(bytes / flat.len() + 1)
}

/// A pipe table row per line, each line `columns` cells wide.
fn wide_pipe_table(bytes: usize) -> String {
    let mut text = String::from("二、主动公开政府信息情况\n");
    let row = format!("| 规章 {}|\n", "| 0 ".repeat(2000));
    while text.len() < bytes {
        text.push_str(&row);
    }
    text
}

/// Prose dense with restated figures, as one paragraph: every figure is read against the
/// phrase grammar and its sentence.
fn dense_narrative(bytes: usize) -> String {
    let mut text = String::from("某局2023年政府信息公开工作年度报告\n一、总体情况\n");
    let sentence = "本年度收到政府信息公开申请1件，予以公开1件，未发生行政复议";
    while text.len() < bytes {
        text.push_str(sentence);
    }
    text
}

/// A page of tag soup: attributes with `>` in their quotes, comments, scripts holding markup and
/// raw-text titles, as the attribute pass before the HTML parser reads them, and the report's
/// own text between them.
fn tag_soup(bytes: usize) -> String {
    let mut html =
        String::from("<html><head><title>某局2023年政府信息公开工作年度报告</title></head><body>");
    let chunk = "<p class=\"x>y\" style='mso-a:b' lang=zh-CN>一、总体情况<!-- a -- b --><script>var a='<td x=1>';</script><title>t</title><span style=\"x\">本年度收到申请1件</span></p>";
    while html.len() < bytes {
        html.push_str(chunk);
    }
    html
}

/// A page whose one table holds text between every two rows (moved before the table as the tree
/// builder moves it), after as many paragraphs as the table has rows.
fn stray_table_text(bytes: usize) -> String {
    let mut html = String::from("<html><body>");
    while html.len() < bytes / 2 {
        html.push_str("<p>一、总体情况</p>");
    }
    html.push_str("<table>");
    while html.len() < bytes {
        html.push_str("本年 <tr><td>规章</td><td>0</td></tr>");
    }
    html
}

/// A one-page PDF of `lines` text lines, rows of numbers between label lines, drawn so densely
/// that every label line has rows of values on both sides (the rule-less row join's worst case),
/// and a grid of 2,000 ruling lines.
fn dense_pdf(lines: usize) -> Vec<u8> {
    use lopdf::{dictionary, Object, Stream};
    let mut doc = lopdf::Document::with_version("1.7");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let mut content = String::new();
    for i in 0..lines {
        let y = 800.0 - (i as f64) * 700.0 / lines as f64;
        let text = if i % 2 == 0 {
            "row label 1 2 3"
        } else {
            "label"
        };
        content.push_str(&format!(
            "BT /F1 10 Tf 1 0 0 1 72 {y:.3} Tm ({text}) Tj ET\n"
        ));
    }
    for k in 0..1000 {
        let at = 50.0 + k as f64 * 0.5;
        content.push_str(&format!("{at} 50 m {at} 550 l S 50 {at} m 550 {at} l S\n"));
    }
    let stream = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => Object::Reference(pages),
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => Object::Reference(stream),
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => Object::Reference(font) } },
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![Object::Reference(page)], "Count" => 1,
        }),
    );
    let catalog =
        doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => Object::Reference(pages) });
    doc.trailer.set("Root", Object::Reference(catalog));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A Word table of `rows` rows whose 8 columns are each one vertical merge.
fn merged_docx(rows: usize) -> Vec<u8> {
    let cell = |text: &str, merge: VMergeType| {
        TableCell::new()
            .vertical_merge(merge)
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(text)))
    };
    let mut table_rows = Vec::with_capacity(rows);
    for r in 0..rows {
        let merge = if r == 0 {
            VMergeType::Restart
        } else {
            VMergeType::Continue
        };
        table_rows.push(TableRow::new((0..8).map(|_| cell("0", merge)).collect()));
    }
    let docx = Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("一、总体情况")))
        .add_table(Table::new(table_rows));
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).unwrap();
    out.into_inner()
}

fn hostile(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for size in [256 * 1024, 1024 * 1024, 4 * 1024 * 1024] {
        let text = one_line(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("one-line", size), &text, |b, t| {
            b.iter(|| xxgk::parse(black_box(t.as_bytes())).is_ok())
        });
        let prose = dense_narrative(size);
        group.throughput(Throughput::Bytes(prose.len() as u64));
        group.bench_with_input(BenchmarkId::new("dense-narrative", size), &prose, |b, t| {
            b.iter(|| xxgk::parse(black_box(t.as_bytes())).is_ok())
        });
        let soup = tag_soup(size);
        group.throughput(Throughput::Bytes(soup.len() as u64));
        group.bench_with_input(BenchmarkId::new("tag-soup", size), &soup, |b, t| {
            b.iter(|| xxgk::parse(black_box(t.as_bytes())).is_ok())
        });
        let stray = stray_table_text(size);
        group.throughput(Throughput::Bytes(stray.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("stray-table-text", size),
            &stray,
            |b, t| b.iter(|| xxgk::parse(black_box(t.as_bytes())).is_ok()),
        );
        let table = wide_pipe_table(size);
        group.throughput(Throughput::Bytes(table.len() as u64));
        group.bench_with_input(BenchmarkId::new("wide-pipe-table", size), &table, |b, t| {
            b.iter(|| xxgk::parse(black_box(t.as_bytes())).is_ok())
        });
    }
    for rows in [2_000, 8_000, 32_000] {
        let docx = merged_docx(rows);
        group.throughput(Throughput::Bytes(docx.len() as u64));
        group.bench_with_input(BenchmarkId::new("merged-docx", rows), &docx, |b, d| {
            b.iter(|| xxgk::parse(black_box(d)).is_ok())
        });
    }
    for lines in [10_000, 40_000, 160_000] {
        let pdf = dense_pdf(lines);
        group.throughput(Throughput::Bytes(pdf.len() as u64));
        group.bench_with_input(BenchmarkId::new("dense-pdf", lines), &pdf, |b, d| {
            b.iter(|| xxgk::parse(black_box(d)).is_ok())
        });
    }
    group.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
