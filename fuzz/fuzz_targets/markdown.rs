//! Fuzzes the Markdown reader and the whole pipeline after it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xxgk::Parser::new().format(xxgk::Format::Markdown).parse(data);
});
