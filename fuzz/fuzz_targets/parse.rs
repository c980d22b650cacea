//! Fuzzes `xxgk::parse` on any bytes: sniffing, decoding, every reader, tables, checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xxgk::parse(data);
});
