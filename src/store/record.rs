//! The stored record: a report's JSON, compressed, in `records.json`.
//!
//! Blobs are written as `Z1` followed by a Zstandard frame (level 3) compressed against
//! dictionary 1: the compact JSON of the seed report's record (`record-dictionary-1.json`),
//! which holds the field names, canonical keys and labels every record repeats. A blob that
//! starts with a zlib header is a record stored before (schema 5, deflated); both are read.
//! Dictionary 1 must never change: blobs in existing databases need exactly its bytes (a test
//! pins its hash). A better dictionary would be dictionary 2, with its own prefix.

use super::{StoreError, StoreResult};
use crate::report::Report;
use std::io::Read;

/// The prefix of a blob compressed with Zstandard against dictionary 1.
const ZSTD_DICTIONARY_1: &[u8] = b"Z1";
/// Dictionary 1: raw content, the compact record of `fixtures/000_500855b189a022d6.txt`.
const DICTIONARY_1: &[u8] = include_bytes!("record-dictionary-1.json");
/// Zstandard's level for new records: its default, fast, and as small as zlib's level 9 here.
const LEVEL: i32 = 3;
/// The largest record a blob may expand to: far above any report's, small enough to refuse a
/// damaged or hostile blob before it takes the memory.
const MAX_RECORD: u64 = 256 * 1024 * 1024;

/// The record of `report` as stored: compact JSON, compressed.
pub(super) fn compress(report: &Report) -> StoreResult<Vec<u8>> {
    let json = serde_json::to_vec(report).map_err(|e| StoreError::Record(e.to_string()))?;
    let error = |e: std::io::Error| StoreError::Record(e.to_string());
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
        let mut blob = Vec::with_capacity(ZSTD_DICTIONARY_1.len() + bound);
        blob.extend_from_slice(ZSTD_DICTIONARY_1);
        let frame = compressor.compress(&json).map_err(error)?;
        blob.extend_from_slice(&frame);
        Ok(blob)
    })
}

/// A stored record back as JSON text, as `xxgk parse` prints it (compact).
pub fn json(blob: &[u8]) -> StoreResult<String> {
    let mut json = Vec::new();
    let read = if let Some(frame) = blob.strip_prefix(ZSTD_DICTIONARY_1) {
        zstd::stream::read::Decoder::with_dictionary(frame, DICTIONARY_1)
            .and_then(|decoder| decoder.take(MAX_RECORD + 1).read_to_end(&mut json))
    } else if is_zlib(blob) {
        flate2::read::ZlibDecoder::new(blob)
            .take(MAX_RECORD + 1)
            .read_to_end(&mut json)
    } else {
        return Err(StoreError::Record(
            "the stored record is in no format this version knows".into(),
        ));
    };
    match read {
        Ok(n) if n as u64 > MAX_RECORD => Err(StoreError::Record(format!(
            "the stored record expands beyond {MAX_RECORD} bytes"
        ))),
        Ok(_) => String::from_utf8(json).map_err(|e| StoreError::Record(e.to_string())),
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
