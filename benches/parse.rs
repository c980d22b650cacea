//! Parsing throughput: the seed report, one report in several encodings and formats, the text
//! fixtures, web pages, Word files and PDFs.
//!
//! `cargo bench --bench parse`; criterion reports time per parse and MB/s (Throughput::Bytes).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .unwrap()
}

fn parse_seed(c: &mut Criterion) {
    let bytes = fixture("000_500855b189a022d6.txt");
    let mut group = c.benchmark_group("seed");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| xxgk::parse(black_box(&bytes)).unwrap())
    });
    group.finish();
}

fn parse_text_fixtures(c: &mut Criterion) {
    let mut group = c.benchmark_group("text");
    for name in [
        "shuyang-fgj-2023.txt",
        "shanghai-stcsm-2024.md",
        "pingtan-2024.txt",
        "huaian-2024-partial.txt",
        "legacy-pingtan-county-2012.txt",
    ] {
        let bytes = fixture(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| b.iter(|| xxgk::parse(black_box(&bytes)).unwrap()));
    }
    group.finish();
}

/// The shared report pages, as HTML-to-text converters render them (`|` rows, a cell per line or
/// per paragraph, vanished cells, traditional script).
fn parse_rendered_pages(c: &mut Criterion) {
    let mut group = c.benchmark_group("pages");
    for name in [
        "01-qu-tjj-2023.txt",
        "02-changchun-tyjrswj-2023.txt",
        "14-qianan-dawuli-2020.txt",
        "18-xiongxian-xiang-2019.txt",
        "27-wuhan-sthjj-2020-big5wiki.txt",
    ] {
        let bytes = fixture(&format!("pages/{name}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        // A page that is not a report is an error; either way the whole pipeline ran.
        group.bench_function(name, |b| b.iter(|| xxgk::parse(black_box(&bytes)).is_ok()));
    }
    group.finish();
}

fn parse_html_pages(c: &mut Criterion) {
    let mut group = c.benchmark_group("html");
    for name in [
        "pingtan-2024.html",
        "pingtan-2019.html",
        "pingtan-2021.html",
        "pingtan-2022.html",
        "shanghai-gov-office-2019.html",
    ] {
        let bytes = fixture(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| b.iter(|| xxgk::parse(black_box(&bytes)).unwrap()));
    }
    group.finish();
}

fn parse_docx_files(c: &mut Criterion) {
    let mut group = c.benchmark_group("docx");
    for name in [
        "pingtan-2024.docx",
        "shanghai-gov-office-2019.docx",
        "official-template-2021-blank.docx",
    ] {
        let bytes = fixture(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| b.iter(|| xxgk::parse(black_box(&bytes)).unwrap()));
    }
    group.finish();
}

/// The corpus PDFs read natively, and, in the same run, the route the README used to give:
/// `pdftotext -layout` (poppler, when installed) and a parse of its text.
fn parse_pdf_files(c: &mut Criterion) {
    let mut group = c.benchmark_group("pdf");
    let pdftotext = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    for name in ["huaian-2024.pdf", "hongze-2023.pdf"] {
        let bytes = fixture(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| b.iter(|| xxgk::parse(black_box(&bytes)).unwrap()));
        if pdftotext {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .join(name);
            group.bench_function(format!("{name} via pdftotext -layout"), |b| {
                b.iter(|| {
                    let out = std::process::Command::new("pdftotext")
                        .arg("-layout")
                        .arg(&path)
                        .arg("-")
                        .output()
                        .unwrap();
                    xxgk::parse(black_box(&out.stdout)).unwrap()
                })
            });
        }
    }
    group.finish();
}

/// One report in several encodings and formats, side by side: the seed in UTF-8 and in
/// GB18030, and 平潭 2024 as page text and as the HTML page. Throughput is counted in reports
/// (`elements`), so that criterion's rates compare the same work.
fn parse_same_report(c: &mut Criterion) {
    let utf8 = fixture("000_500855b189a022d6.txt");
    let text = String::from_utf8(utf8.clone()).unwrap();
    let (gb18030, _, _) = encoding_rs::GB18030.encode(&text);
    let gb18030 = gb18030.into_owned();
    let mut group = c.benchmark_group("same-report");
    group.throughput(Throughput::Elements(1));
    for (name, bytes) in [
        ("seed UTF-8", utf8),
        ("seed GB18030", gb18030),
        ("pingtan-2024 text", fixture("pingtan-2024.txt")),
        ("pingtan-2024 html", fixture("pingtan-2024.html")),
    ] {
        group.bench_function(name, |b| b.iter(|| xxgk::parse(black_box(&bytes)).unwrap()));
    }
    group.finish();
}

criterion_group!(
    benches,
    parse_seed,
    parse_same_report,
    parse_text_fixtures,
    parse_rendered_pages,
    parse_html_pages,
    parse_docx_files,
    parse_pdf_files
);
criterion_main!(benches);
