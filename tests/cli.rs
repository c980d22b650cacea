//! The `xxgk` command: output formats and exit codes.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn xxgk(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xxgk runs");
    if let Some(bytes) = stdin {
        // xxgk may stop reading early (an input over the size limit): a closed pipe is fine.
        match child.stdin.take().unwrap().write_all(bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.unwrap(),
        }
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

const SEED: &str = "fixtures/000_500855b189a022d6.txt";

#[test]
fn parse_prints_the_documented_json() {
    let out = xxgk(&["parse", SEED], None);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["template"], "2019");
    assert_eq!(json["year"], 2020);
    assert_eq!(json["agency"], "宜春市统计局");
    assert_eq!(json["encoding"], "UTF-8");
    assert_eq!(json["sections"].as_array().unwrap().len(), 6);
    assert_eq!(json["sections"][0]["number"], 1);
    assert_eq!(json["sections"][0]["title"], "一、总体情况");
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 198);
    let amount = cells
        .iter()
        .find(|c| c["key"] == "active.procurement.amount_yuan")
        .unwrap();
    assert_eq!(amount["value"], 486690);
    assert_eq!(amount["raw"], "486690元");
    assert_eq!(amount["unit"], "元");
    assert_eq!(amount["location"]["line"], 86);
    assert_eq!(amount["location"]["column"], 2);
    assert!(json["findings"].as_array().unwrap().is_empty());
}

#[test]
fn parse_reads_standard_input() {
    let bytes = common::fixture("000_500855b189a022d6.txt");
    let out = xxgk(&["parse", "-"], Some(&bytes));
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["agency"], "宜春市统计局");
}

#[test]
fn cells_format_is_one_csv_row_per_cell() {
    let out = xxgk(&["parse", "--format", "cells", SEED], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("key,value,raw,unit,line,column,status"));
    assert_eq!(lines.clone().count(), 198);
    assert!(text.contains("\nactive.procurement.amount_yuan,486690,486690元,元,86,2,number\n"));
}

#[test]
fn text_format_is_a_summary() {
    let out = xxgk(&["parse", "--format", "text", SEED], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("agency:   宜春市统计局"));
    assert!(text.contains("表三 applications version 2019    161/161 cells found"));
    assert!(text.contains("checks:   43 passed, 0 failed, 0 not assessable"));
    let out = xxgk(
        &["parse", "-f", "text", "fixtures/shuyang-fgj-2023.txt"],
        None,
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("restated in the text:\n  report     26件          applications.new_received.total (line 16)"),
        "{text}"
    );
}

#[test]
fn check_exits_0_1_3_4() {
    assert_eq!(xxgk(&["check", SEED], None).status.code(), Some(0));

    let broken = common::seed().replacen("（七）总计\n\t12", "（七）总计\n\t13", 1);
    let out = xxgk(&["check", "-"], Some(broken.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("R1"), "{text}");

    let out = xxgk(&["check", "-"], Some("你好".as_bytes()));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("not a government information disclosure annual report"));

    let out = xxgk(&["check", "no-such-file.txt"], None);
    assert_eq!(out.status.code(), Some(4));
    // A wrong command line is 2.
    assert_eq!(
        xxgk(&["check", "--no-such-flag", SEED], None).status.code(),
        Some(2)
    );
}

#[test]
fn parse_refuses_pipes_devices_and_folders_at_once() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-special-files");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let out = xxgk(&["parse", fifo.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(4));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    }
    if std::path::Path::new("/dev/zero").exists() {
        let out = xxgk(&["parse", "/dev/zero"], None);
        assert_eq!(out.status.code(), Some(4));
    }
    let out = xxgk(&["parse", "fixtures"], None);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("xxgk import fixtures"));
}

#[test]
fn standard_input_is_read_no_further_than_the_size_limit() {
    let big = common::seed().repeat(20);
    let out = xxgk(&["parse", "--max-size", "16K", "-"], Some(big.as_bytes()));
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("over the limit of 16384"), "{stderr}");
    assert!(stderr.contains("--max-size"), "{stderr}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["parse", "--pretty", SEED])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then close the pipe, as `| head` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Broken pipe"));
}

#[test]
fn several_files_give_json_lines_and_the_worst_exit_code() {
    let out = xxgk(
        &[
            "parse",
            SEED,
            "fixtures/pingtan-2024.txt",
            "fixtures/README.md",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "README.md is not a report");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    for line in lines {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(json["schema_version"], 1);
    }
    let out = xxgk(&["check", "-q", SEED, "fixtures/pingtan-2024.txt"], None);
    assert!(out.stdout.is_empty());
    assert_eq!(out.status.code(), Some(0));
    let out = xxgk(&["check", "fixtures/corpus-manifest.md"], None);
    assert_eq!(
        out.status.code(),
        Some(3),
        "a manifest of reports is not a report"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("section headings"));
    // One CSV table for several files, with a file column.
    let out = xxgk(&["parse", "-f", "cells", SEED, SEED], None);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("file,key,value"));
    assert_eq!(csv.lines().count(), 1 + 2 * 198);
}

#[test]
fn output_goes_to_a_file_with_short_flags() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-output.json");
    let out = xxgk(&["parse", "-o", path.to_str().unwrap(), SEED], None);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["agency"], "宜春市统计局");
}

#[test]
fn a_zip_of_reports_is_refused_with_what_to_do() {
    let mut zip = zip_writer();
    let bytes = {
        use std::io::Write;
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("reports/a.txt", options).unwrap();
        zip.write_all(common::seed().as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    };
    let out = xxgk(&["parse", "-"], Some(&bytes));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unzip it"));
}

fn zip_writer() -> zip::ZipWriter<std::io::Cursor<Vec<u8>>> {
    zip::ZipWriter::new(std::io::Cursor::new(Vec::new()))
}

#[test]
fn keys_lists_the_codebook_of_each_version() {
    let rows = |version: &str| {
        let out = xxgk(&["keys", "--version", version], None);
        assert!(out.status.success());
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        let headers = reader.headers().unwrap().clone();
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (table, rules) = (column("table"), column("rules"));
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let count = |t: &str| records.iter().filter(|r| &r[table] == t).count();
        let r1 = records.iter().filter(|r| r[rules].contains("R1")).count();
        (count("active"), count("applications"), count("appeals"), r1)
    };
    // R1 takes the four rows it names, in each of the 7 columns.
    assert_eq!(rows("2019"), (22, 161, 15, 28));
    assert_eq!(rows("2021"), (10, 175, 15, 28));
    let out = xxgk(&["keys", "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let other = json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == "applications.other.total")
        .unwrap();
    assert_eq!(other["versions"], serde_json::json!(["2019"]));
    assert_eq!(other["correspondence"]["kind"], "sum");
    assert_eq!(json["indicators"][0]["name"], "disclosure_rate");
}

#[test]
fn the_codebook_in_docs_is_what_keys_prints() {
    let out = xxgk(&["keys", "--format", "markdown"], None);
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codebook.md")).unwrap();
    assert!(
        committed == String::from_utf8(out.stdout).unwrap(),
        "docs/codebook.md is out of date: run `xxgk keys --format markdown -o docs/codebook.md`"
    );
}
