//! The stored record: a report's JSON, compressed, in `records.json`.
//!
//! Blobs are a prefix and a Zstandard frame (level 3) compressed against dictionary 1: the
//! compact JSON of the seed report's record (`record-dictionary-1.json`), which holds the field
//! names, canonical keys, labels and rule wording records repeat.
//!
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
use crate::report::Report;
use std::io::Read;

/// The prefix of a whole record compressed with Zstandard against dictionary 1.
const WHOLE_ZSTD_1: &[u8] = b"Z1";
/// The prefix of a record without its cells and section texts, compressed the same way.
const WITHOUT_ROWS_ZSTD_1: &[u8] = b"Z2";
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
    /// The record without its cells and section texts, which the rows hold.
    WithoutRows(Box<Report>),
}

/// The whole record of `report` as stored: compact JSON, compressed.
pub(super) fn compress(report: &Report) -> StoreResult<Vec<u8>> {
    let json = serde_json::to_vec(report).map_err(|e| StoreError::Record(e.to_string()))?;
    compress_json(Kind::Whole, &json)
}

/// The record of `report` without its cells and section texts (the rows hold them), compressed.
pub(super) fn compress_without_rows(report: &mut Report) -> StoreResult<Vec<u8>> {
    let cells = std::mem::take(&mut report.cells);
    let texts: Vec<String> = report
        .sections
        .iter_mut()
        .map(|s| std::mem::take(&mut s.text))
        .collect();
    let json = serde_json::to_vec(&*report);
    report.cells = cells;
    for (section, text) in report.sections.iter_mut().zip(texts) {
        section.text = text;
    }
    let json = json.map_err(|e| StoreError::Record(e.to_string()))?;
    compress_json(Kind::WithoutRows, &json)
}

/// What a blob holds.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// The whole record (`Z1`).
    Whole,
    /// The record without rows (`Z2`).
    WithoutRows,
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
        Kind::WithoutRows => WITHOUT_ROWS_ZSTD_1,
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
    if let Some(frame) = blob.strip_prefix(WITHOUT_ROWS_ZSTD_1) {
        let json = expand(frame, true)?;
        let report: Report =
            serde_json::from_slice(&json).map_err(|e| StoreError::Record(e.to_string()))?;
        return Ok(Opened::WithoutRows(Box::new(report)));
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
            Opened::WithoutRows(_) => panic!("not a whole record"),
        }
    }

    #[test]
    fn a_record_without_rows_leaves_out_cells_and_section_texts_only() {
        let mut report = seed();
        let whole = serde_json::to_string(&report).unwrap();
        let blob = compress_without_rows(&mut report).unwrap();
        assert!(blob.starts_with(b"Z2"));
        assert_eq!(
            serde_json::to_string(&report).unwrap(),
            whole,
            "the report is given back as it was"
        );
        let Opened::WithoutRows(mut back) = open(&blob).unwrap() else {
            panic!("a whole record")
        };
        assert!(back.cells.is_empty());
        assert!(back.sections.iter().all(|s| s.text.is_empty()));
        assert_eq!(back.sections.len(), report.sections.len());
        back.cells = report.cells.clone();
        for (s, t) in back.sections.iter_mut().zip(&report.sections) {
            s.text = t.text.clone();
        }
        assert_eq!(serde_json::to_string(&back).unwrap(), whole);
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
