//! Fuzzes the PDF reader (lopdf's loading, the content-stream interpreter, the grid builder) and
//! the whole pipeline after it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xxgk::Parser::new().format(xxgk::Format::Pdf).parse(data);
});
