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
        child.stdin.take().unwrap().write_all(bytes).unwrap();
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
}

#[test]
fn check_exits_0_1_2() {
    assert_eq!(xxgk(&["check", SEED], None).status.code(), Some(0));

    let broken = common::seed().replacen("（七）总计\n\t12", "（七）总计\n\t13", 1);
    let out = xxgk(&["check", "-"], Some(broken.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("R1"), "{text}");

    let out = xxgk(&["check", "-"], Some("你好".as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("not a government information disclosure annual report"));

    let out = xxgk(&["check", "no-such-file.txt"], None);
    assert_eq!(out.status.code(), Some(2));
}
