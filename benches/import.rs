//! Bulk import benchmark: 10,000 report files generated from the corpus, imported into a fresh
//! database with `--jobs 1` and `--jobs 2`.
//!
//! `cargo bench --bench import` (set `XXGK_BENCH_FILES` for other counts, `10000,40000` for two).
//! Prints files/s, MB/s, the database size per report, the time of a second import over the
//! unchanged tree and, where `/usr/bin/time` exists, the peak resident memory. This is a
//! benchmark, not a test: nothing here asserts a time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .unwrap()
}

/// Writes `n` files: distinct variants of the corpus's text, Markdown and HTML reports (a marker
/// line appended keeps their hashes apart) and, one file in ten, copies of the corpus DOCX files.
fn generate(dir: &Path, n: usize) -> u64 {
    let text = [
        "000_500855b189a022d6.txt",
        "shuyang-fgj-2023.txt",
        "pingtan-2024.txt",
        "pingtan-2021.txt",
        "shanghai-stcsm-2024.md",
        "huaian-2024-partial.txt",
    ]
    .map(|n| (n, fixture(n)));
    let html = ["pingtan-2024.html", "shanghai-gov-office-2019.html"].map(|n| (n, fixture(n)));
    let docx = ["pingtan-2024.docx", "shanghai-gov-office-2019.docx"].map(|n| (n, fixture(n)));
    let mut bytes = 0u64;
    for i in 0..n {
        let folder = dir.join(format!("{:03}", i / 100));
        std::fs::create_dir_all(&folder).unwrap();
        let (name, content) = match i % 10 {
            0 => {
                let (name, body) = &docx[i / 10 % docx.len()];
                (name.to_string(), body.clone())
            }
            1 | 2 => {
                let (name, body) = &html[i % html.len()];
                let mut body = body.clone();
                body.extend_from_slice(format!("\n<!-- copy {i} -->\n").as_bytes());
                (name.to_string(), body)
            }
            _ => {
                let (name, body) = &text[i % text.len()];
                let mut body = body.clone();
                body.extend_from_slice(format!("\n（编号 {i}）\n").as_bytes());
                (name.to_string(), body)
            }
        };
        bytes += content.len() as u64;
        std::fs::write(folder.join(format!("{i:05}-{name}")), content).unwrap();
    }
    bytes
}

/// What one `xxgk import` run took.
struct Measured {
    seconds: f64,
    peak: Option<f64>,
    summary: String,
}

/// Runs `xxgk import files --db DB --jobs N` in `dir`, timed, under `/usr/bin/time -v` where it
/// exists (for the peak resident memory).
fn import(dir: &Path, db: &Path, jobs: usize) -> Measured {
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(env!("CARGO_BIN_EXE_xxgk"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_xxgk"))
    };
    command
        .args(["import", "files", "--quiet", "--db"])
        .arg(db)
        .args(["--jobs", &jobs.to_string()])
        .current_dir(dir);
    let start = Instant::now();
    let output = command.output().expect("xxgk runs");
    let seconds = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak = stderr
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
        .and_then(|l| l.rsplit(':').next())
        .and_then(|kb| kb.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    if !output.status.success() {
        println!("{stderr}");
    }
    Measured {
        seconds,
        peak,
        summary: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

/// A fresh import with `jobs` workers, then (with two workers) a second run over the unchanged
/// tree.
fn run(dir: &Path, jobs: usize, bytes: u64, files: usize) {
    let db = dir.join(format!("bench-{files}-jobs{jobs}.sqlite"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let fresh = import(dir, &db, jobs);
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    let reports = distinct_reports(&fresh.summary).unwrap_or(files);
    let peak = |m: &Measured| m.peak.map_or("n/a".to_string(), |p| format!("{p:.0} MB"));
    println!(
        "import --jobs {jobs}: {files} files ({:.1} MB) in {:.2}s = {:.0} files/s, {:.1} MB/s; peak RSS {}; database {:.1} MB = {:.1} KB per report ({reports} reports)",
        bytes as f64 / 1e6,
        fresh.seconds,
        files as f64 / fresh.seconds,
        bytes as f64 / 1e6 / fresh.seconds,
        peak(&fresh),
        size as f64 / 1e6,
        size as f64 / 1e3 / reports as f64,
    );
    if jobs == 2 {
        let again = import(dir, &db, jobs);
        println!(
            "re-import --jobs {jobs}, nothing changed: {files} files in {:.2}s; peak RSS {}",
            again.seconds,
            peak(&again)
        );
    }
}

/// The number of distinct reports an import summary gives (`reports:     9002 distinct`).
fn distinct_reports(summary: &str) -> Option<usize> {
    summary
        .lines()
        .find_map(|l| l.strip_prefix("reports:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

fn main() {
    // `XXGK_BENCH_FILES=10000,40000` runs each size in turn (a cost that grows faster than the
    // archive shows as files/s falling).
    let sizes: Vec<usize> = std::env::var("XXGK_BENCH_FILES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![10_000]);
    for files in sizes {
        let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-bench");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("files")).unwrap();
        let bytes = generate(&dir.join("files"), files);
        for jobs in [1, 2] {
            run(&dir, jobs, bytes, files);
        }
    }
}
