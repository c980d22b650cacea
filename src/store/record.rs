//! The stored record: a report's JSON, compressed, in `records.json`.
//!
//! Blobs are a prefix and a Zstandard frame (level 3) compressed against dictionary 1: the
//! compact JSON of the seed report's record (`record-dictionary-1.json`), which holds the field
//! names, canonical keys, labels and rule wording records repeat.
//!
//! - `Z3` (schema 9): as `Z2`, and the checks written compactly beside the record: each one as
//!   `[rule, scope, outcome, cells]` with each cell named by its position among the report's
//!   cells (a key no cell has stays written out). The checks name the same cells over and over:
//!   written out, they were four fifths of the JSON the parsing threads made and compressed for
//!   every report.
//! - `Z2` (schema 8): the record without what the rows hold whole: no `cells` (they are the
//!   report's `cell_values` rows, see `cell_row.rs`) and every section's `text` empty (it is in
//!   `sections`). The record is put together again from the rows when read.
//! - `Z1` (schema 6 and 7, and a report whose cells a row cannot hold whole): the whole record.
//! - A zlib header: the whole record, deflated (schema 5).
//!
//! Dictionary 1 must never change: blobs in existing databases need exactly its bytes (a test
//! pins its hash). A better dictionary would be dictionary 2, with its own prefixes. (One made
//! of records without rows of real reports, at level 5, took a record of the bench from 3.6 to
//! 2.6 KB but tripled the time to compress it, a fifth of the import's speed: not taken.)

use super::{StoreError, StoreResult};
use crate::report::{Check, Outcome, Report};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// The prefix of a whole record compressed with Zstandard against dictionary 1.
const WHOLE_ZSTD_1: &[u8] = b"Z1";
/// The prefix of a record without its cells and section texts, compressed the same way.
const WITHOUT_ROWS_ZSTD_1: &[u8] = b"Z2";
/// The prefix of a record without its cells and section texts, with its checks packed.
const PACKED_ZSTD_1: &[u8] = b"Z3";
/// Dictionary 1: raw content, the compact record of `fixtures/000_500855b189a022d6.txt`.
const DICTIONARY_1: &[u8] = include_bytes!("record-dictionary-1.json");
/// Zstandard's level for new records: its default, fast, and as small as zlib's level 9 here.
const LEVEL: i32 = 3;
/// The largest record a blob may expand to: far above any report's, small enough to refuse a
/// damaged or hostile blob before it takes the memory.
const MAX_RECORD: u64 = 256 * 1024 * 1024;

/// A stored record, opened.
pub(super) enum Opened {
    /// The whole record, as `xxgk parse` prints it (compact).
    Whole(String),
    /// The record without its cells and section texts, which the rows hold; its checks when
    /// they were packed (`Z3`: [`unpack_checks`] puts them back once the cells are).
    WithoutRows(Box<Report>, Option<Vec<PackedCheck>>),
}

/// A check as `Z3` stores it: rule, scope, outcome and the cells it takes.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PackedCheck(String, String, Outcome, Vec<CellRef>);

/// A cell a packed check takes: its position among the report's cells, or its key when no
/// cell has it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum CellRef {
    Position(u32),
    Key(String),
}

/// What a `Z3` blob holds, as written.
#[derive(Serialize)]
struct PackedOut<'a> {
    report: &'a Report,
    checks: Vec<PackedCheck>,
}

/// What a `Z3` blob holds, as read.
#[derive(Deserialize)]
struct PackedIn {
    report: Report,
    checks: Vec<PackedCheck>,
}

/// The checks of `report` packed, naming cells by their position in `report.cells`.
fn pack_checks(report: &Report) -> Vec<PackedCheck> {
    let positions: std::collections::HashMap<&str, u32> = report
        .cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.key.as_str(), u32::try_from(i).ok()?)))
        .collect();
    report
        .checks
        .iter()
        .map(|check| {
            let cells = check
                .cells
                .iter()
                .map(|key| match positions.get(key.as_str()) {
                    Some(&at) => CellRef::Position(at),
                    None => CellRef::Key(key.clone()),
                })
                .collect();
            PackedCheck(
                check.rule.clone(),
                check.scope.clone(),
                check.outcome,
                cells,
            )
        })
        .collect()
}

/// Puts packed checks back into `report`, whose cells must be in place.
pub(super) fn unpack_checks(report: &mut Report, packed: Vec<PackedCheck>) -> Result<(), String> {
    let mut checks = Vec::with_capacity(packed.len());
    for PackedCheck(rule, scope, outcome, cells) in packed {
        let cells = cells
            .into_iter()
            .map(|cell| match cell {
                CellRef::Key(key) => Ok(key),
                CellRef::Position(at) => usize::try_from(at)
                    .ok()
                    .and_then(|at| report.cells.get(at))
                    .map(|c| c.key.clone())
                    .ok_or_else(|| format!("check {rule} names cell {at}, which the report lacks")),
            })
            .collect::<Result<Vec<String>, String>>()?;
        checks.push(Check {
            rule,
            scope,
            outcome,
            cells,
        });
    }
    report.checks = checks;
    Ok(())
}

/// The whole record of `report` as stored: compact JSON, compressed.
pub(super) fn compress(report: &Report) -> StoreResult<Vec<u8>> {
    let json = serde_json::to_vec(report).map_err(|e| StoreError::Record(e.to_string()))?;
    compress_json(Kind::Whole, &json)
}

/// The record of `report` without its cells and section texts (the rows hold them), its checks
/// packed, compressed.
pub(super) fn compress_without_rows(report: &mut Report) -> StoreResult<Vec<u8>> {
    let checks = pack_checks(report);
    let cells = std::mem::take(&mut report.cells);
    let full_checks = std::mem::take(&mut report.checks);
    let texts: Vec<String> = report
        .sections
        .iter_mut()
        .map(|s| std::mem::take(&mut s.text))
        .collect();
    let json = serde_json::to_vec(&PackedOut {
        report: &*report,
        checks,
    });
    report.cells = cells;
    report.checks = full_checks;
    for (section, text) in report.sections.iter_mut().zip(texts) {
        section.text = text;
    }
    let json = json.map_err(|e| StoreError::Record(e.to_string()))?;
    compress_json(Kind::Packed, &json)
}

/// What a blob holds.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// The whole record (`Z1`).
    Whole,
    /// The record without rows, its checks packed (`Z3`).
    Packed,
}

/// Dictionary 1 prepared for decompression, made once per process.
fn decoding_dictionary() -> StoreResult<&'static zstd::dict::DecoderDictionary<'static>> {
    static PREPARED: std::sync::OnceLock<Option<zstd::dict::DecoderDictionary<'static>>> =
        std::sync::OnceLock::new();
    PREPARED
        .get_or_init(|| zstd::dict::DecoderDictionary::try_copy(DICTIONARY_1).ok())
        .as_ref()
        .ok_or_else(|| StoreError::Record("the record dictionary does not load".into()))
}

/// `json` compressed against dictionary 1, after the prefix of `kind`.
fn compress_json(kind: Kind, json: &[u8]) -> StoreResult<Vec<u8>> {
    let error = |e: std::io::Error| StoreError::Record(e.to_string());
    let prefix = match kind {
        Kind::Whole => WHOLE_ZSTD_1,
        Kind::Packed => PACKED_ZSTD_1,
    };
    // Loading the dictionary costs more than compressing a record: each thread does it once.
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            const { std::cell::RefCell::new(None) };
    }
    COMPRESSOR.with_borrow_mut(|slot| {
        let compressor = match slot {
            Some(compressor) => compressor,
            None => slot.insert(
                zstd::bulk::Compressor::with_dictionary(LEVEL, DICTIONARY_1).map_err(error)?,
            ),
        };
        let bound = zstd::zstd_safe::compress_bound(json.len());
        let mut blob = Vec::with_capacity(prefix.len() + bound);
        blob.extend_from_slice(prefix);
        let frame = compressor.compress(json).map_err(error)?;
        blob.extend_from_slice(&frame);
        Ok(blob)
    })
}

/// A stored record, decompressed.
pub(super) fn open(blob: &[u8]) -> StoreResult<Opened> {
    if let Some(frame) = blob.strip_prefix(PACKED_ZSTD_1) {
        let json = expand(frame, true)?;
        let packed: PackedIn =
            serde_json::from_slice(&json).map_err(|e| StoreError::Record(e.to_string()))?;
        return Ok(Opened::WithoutRows(
            Box::new(packed.report),
            Some(packed.checks),
        ));
    }
    if let Some(frame) = blob.strip_prefix(WITHOUT_ROWS_ZSTD_1) {
        let json = expand(frame, true)?;
        let report: Report =
            serde_json::from_slice(&json).map_err(|e| StoreError::Record(e.to_string()))?;
        return Ok(Opened::WithoutRows(Box::new(report), None));
    }
    let json = match blob.strip_prefix(WHOLE_ZSTD_1) {
        Some(frame) => expand(frame, true)?,
        None if is_zlib(blob) => expand(blob, false)?,
        None => {
            return Err(StoreError::Record(
                "the stored record is in no format this version knows".into(),
            ))
        }
    };
    String::from_utf8(json)
        .map(Opened::Whole)
        .map_err(|e| StoreError::Record(e.to_string()))
}

/// The JSON a Zstandard frame against dictionary 1 (`zstd`) or a zlib stream expands to,
/// bounded.
fn expand(compressed: &[u8], zstd: bool) -> StoreResult<Vec<u8>> {
    let mut json = Vec::new();
    let read = match zstd {
        true => {
            let prepared = decoding_dictionary()?;
            zstd::stream::read::Decoder::with_prepared_dictionary(compressed, prepared)
                .and_then(|decoder| decoder.take(MAX_RECORD + 1).read_to_end(&mut json))
        }
        false => flate2::read::ZlibDecoder::new(compressed)
            .take(MAX_RECORD + 1)
            .read_to_end(&mut json),
    };
    match read {
        Ok(n) if n as u64 > MAX_RECORD => Err(StoreError::Record(format!(
            "the stored record expands beyond {MAX_RECORD} bytes"
        ))),
        Ok(_) => Ok(json),
        Err(err) => Err(StoreError::Record(err.to_string())),
    }
}

/// A zlib stream's header: deflate with a window of at most 32 KiB, and a check sum over the two
/// bytes (RFC 1950).
fn is_zlib(blob: &[u8]) -> bool {
    match blob {
        [cmf, flg, ..] => {
            cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Report {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/000_500855b189a022d6.txt"
        ))
        .unwrap();
        crate::parse(&bytes).unwrap()
    }

    /// The whole record a blob holds.
    fn json(blob: &[u8]) -> StoreResult<String> {
        match open(blob)? {
            Opened::Whole(json) => Ok(json),
            Opened::WithoutRows(..) => panic!("not a whole record"),
        }
    }

    #[test]
    fn a_record_without_rows_leaves_out_cells_and_section_texts_only() {
        let mut report = seed();
        let whole = serde_json::to_string(&report).unwrap();
        let blob = compress_without_rows(&mut report).unwrap();
        assert!(blob.starts_with(b"Z3"));
        assert_eq!(
            serde_json::to_string(&report).unwrap(),
            whole,
            "the report is given back as it was"
        );
        let Opened::WithoutRows(mut back, Some(checks)) = open(&blob).unwrap() else {
            panic!("not a record with packed checks")
        };
        assert!(back.cells.is_empty());
        assert!(back.checks.is_empty());
        assert!(back.sections.iter().all(|s| s.text.is_empty()));
        assert_eq!(back.sections.len(), report.sections.len());
        assert_eq!(checks.len(), report.checks.len());
        back.cells = report.cells.clone();
        for (s, t) in back.sections.iter_mut().zip(&report.sections) {
            s.text = t.text.clone();
        }
        unpack_checks(&mut back, checks).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), whole);
    }

    #[test]
    fn packed_checks_name_cells_by_position_and_unknown_keys_whole() {
        let mut report = seed();
        report.checks[0]
            .cells
            .push("applications.no_such_cell".into());
        let packed = pack_checks(&report);
        let json = serde_json::to_string(&packed[0]).unwrap();
        assert!(
            json.starts_with(r#"["R7","active","passed",[0,1,2,"#),
            "{json}"
        );
        assert!(
            json.ends_with(r#","applications.no_such_cell"]]"#),
            "{json}"
        );
        let mut back = report.clone();
        back.checks.clear();
        unpack_checks(&mut back, packed).unwrap();
        assert_eq!(
            serde_json::to_string(&back.checks).unwrap(),
            serde_json::to_string(&report.checks).unwrap()
        );
        back.cells.truncate(1);
        assert!(
            unpack_checks(&mut back, pack_checks(&report)).is_err(),
            "a position beyond the cells is damage, not a guess"
        );
    }

    #[test]
    fn records_stored_without_rows_by_schema_8_are_read() {
        let report = seed();
        let mut without = report.clone();
        without.cells.clear();
        for s in &mut without.sections {
            s.text.clear();
        }
        let json = serde_json::to_vec(&without).unwrap();
        let mut blob = b"Z2".to_vec();
        blob.extend(
            zstd::bulk::Compressor::with_dictionary(LEVEL, DICTIONARY_1)
                .unwrap()
                .compress(&json)
                .unwrap(),
        );
        let Opened::WithoutRows(back, None) = open(&blob).unwrap() else {
            panic!("not a Z2 record")
        };
        assert_eq!(
            serde_json::to_string(&back.checks).unwrap(),
            serde_json::to_string(&report.checks).unwrap(),
            "a Z2 record holds its checks whole"
        );
    }

    #[test]
    fn a_record_comes_back_as_parse_prints_it() {
        let report = seed();
        let blob = compress(&report).unwrap();
        assert!(blob.starts_with(b"Z1"));
        assert_eq!(
            json(&blob).unwrap(),
            serde_json::to_string(&report).unwrap()
        );
        // The dictionary pays: the seed's record is nearly all dictionary.
        assert!(blob.len() < 1_000, "{} bytes", blob.len());
    }

    #[test]
    fn records_stored_deflated_by_schema_5_are_read() {
        use std::io::Write;
        let report = seed();
        let text = serde_json::to_string(&report).unwrap();
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
        encoder.write_all(text.as_bytes()).unwrap();
        let blob = encoder.finish().unwrap();
        assert_eq!(json(&blob).unwrap(), text);
    }

    #[test]
    fn a_damaged_blob_is_an_error() {
        assert!(json(b"not a record").is_err());
        assert!(json(b"").is_err());
        assert!(json(b"Z1\x28\xb5\x2f\xfd garbage").is_err());
        assert!(open(b"Z2\x28\xb5\x2f\xfd garbage").is_err());
        assert!(open(b"Z3\x28\xb5\x2f\xfd garbage").is_err());
        let blob = compress(&seed()).unwrap();
        assert!(json(&blob[..blob.len() / 2]).is_err());
    }

    #[test]
    fn dictionary_1_never_changes() {
        // Every record stored since schema 6 needs these exact bytes to be read back.
        assert_eq!(DICTIONARY_1.len(), 72_780);
        assert_eq!(
            blake3::hash(DICTIONARY_1).to_hex().as_str(),
            "2464ea1c519ec1711858cba45622db4767d891a2d6129cfd3376715f12c0bef0"
        );
    }
}
