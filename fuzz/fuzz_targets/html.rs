//! Fuzzes the HTML reader (content root, charset, tables with spans, nesting) and the whole pipeline after it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xxgk::Parser::new().format(xxgk::Format::Html).parse(data);
});
