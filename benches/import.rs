//! Bulk import benchmark: 10,000 report files generated from the corpus, imported into a fresh
//! database with `--jobs 1` and `--jobs 2`.
//!
//! `cargo bench --bench import` (set `XXGK_BENCH_FILES` for another count). Prints files/s, MB/s,
//! the database size and, where `/usr/bin/time` exists, the peak resident memory. This is a
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

fn run(dir: &Path, jobs: usize, bytes: u64, files: usize) {
    let db = dir.join(format!("bench-jobs{jobs}.sqlite"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-v").arg(env!("CARGO_BIN_EXE_xxgk"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_xxgk"))
    };
    command
        .args(["import", "files", "--db"])
        .arg(&db)
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
        .map(|kb| format!("{:.0} MB", kb.trim().parse::<f64>().unwrap_or(0.0) / 1024.0))
        .unwrap_or_else(|| "n/a".into());
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "import --jobs {jobs}: {files} files ({:.1} MB) in {seconds:.1}s = {:.0} files/s, {:.1} MB/s; peak RSS {peak}; database {:.1} MB",
        bytes as f64 / 1e6,
        files as f64 / seconds,
        bytes as f64 / 1e6 / seconds,
        size as f64 / 1e6
    );
    if !output.status.success() {
        println!("{stderr}");
    }
    print!("{}", String::from_utf8_lossy(&output.stdout));
}

fn main() {
    let files: usize = std::env::var("XXGK_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("files")).unwrap();
    let bytes = generate(&dir.join("files"), files);
    for jobs in [1, 2] {
        run(&dir, jobs, bytes, files);
    }
}
