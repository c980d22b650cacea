//! The store gives every record back exactly: a record stored without its cells and section
//! texts (schema 8) is put together again from its rows byte for byte as `xxgk parse` prints it.

use std::path::{Path, PathBuf};
use xxgk::store::{FileOutcome, FileRecord, Store};

/// Every fixture a parse turns into a report: texts, Markdown, pages, DOCX, PDF.
fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut paths = Vec::new();
    for dir in [root.clone(), root.join("pages")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let parseable = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["txt", "md", "html", "htm", "docx", "pdf"].contains(&e));
            if parseable && !path.ends_with("README.txt") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

#[test]
fn every_fixture_record_comes_back_from_its_rows_byte_for_byte() {
    let mut store = Store::in_memory().unwrap();
    let mut expected = Vec::new();
    let mut records = Vec::new();
    for path in fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(report) = xxgk::parse(&bytes) else {
            continue;
        };
        expected.push((path.clone(), serde_json::to_string(&report).unwrap()));
        records.push(FileRecord {
            size: bytes.len() as u64,
            mtime: None,
            hash: Some(xxgk::store::content_hash(&bytes)),
            outcome: FileOutcome::parsed(report).unwrap(),
            path,
        });
    }
    assert!(expected.len() >= 35, "{} fixtures parsed", expected.len());
    store.write_batch(&records).unwrap();
    let conn = store.connection();
    for (path, json) in &expected {
        let (id, prefix): (i64, Vec<u8>) = conn
            .query_row(
                "SELECT r.id, substr(rec.json, 1, 2) FROM files f JOIN reports r ON r.id = f.report_id
                 JOIN records rec ON rec.report_id = r.id WHERE f.path = ?1",
                [path.to_str().unwrap()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            prefix,
            b"Z3",
            "{}: stored without its rows, checks packed",
            path.display()
        );
        let back = store.record(id).unwrap().unwrap();
        if back != *json {
            let at = back
                .bytes()
                .zip(json.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let from = at.saturating_sub(150);
            panic!(
                "{}: the record differs at byte {at}:\n stored {}\n parsed {}",
                path.display(),
                String::from_utf8_lossy(&back.as_bytes()[from..(at + 150).min(back.len())]),
                String::from_utf8_lossy(&json.as_bytes()[from..(at + 150).min(json.len())])
            );
        }
    }
}

#[test]
fn a_damaged_row_is_an_error_not_a_different_record() {
    let mut store = Store::in_memory().unwrap();
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/000_500855b189a022d6.txt"),
    )
    .unwrap();
    let report = xxgk::parse(&bytes).unwrap();
    store
        .write_batch(&[FileRecord {
            path: PathBuf::from("/seed.txt"),
            size: bytes.len() as u64,
            mtime: None,
            hash: Some(xxgk::store::content_hash(&bytes)),
            outcome: FileOutcome::parsed(report).unwrap(),
        }])
        .unwrap();
    let id: i64 = store
        .connection()
        .query_row("SELECT id FROM reports", [], |r| r.get(0))
        .unwrap();
    assert!(store.record(id).unwrap().is_some());
    store
        .connection()
        .execute(
            "UPDATE cell_values SET status_code = 7 WHERE position = 3",
            [],
        )
        .unwrap();
    assert!(store.record(id).is_err(), "an unknown status code");
    store
        .connection()
        .execute(
            "UPDATE cell_values SET status_code = 8 WHERE position = 3",
            [],
        )
        .unwrap();
    store
        .connection()
        .execute("DELETE FROM sections WHERE position = 0", [])
        .unwrap();
    assert!(store.record(id).is_err(), "a section's text gone");
}
