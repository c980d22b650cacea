//! Fuzzes the DOCX reader (zip container, document.xml, numbering) and the whole pipeline after it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xxgk::Parser::new().format(xxgk::Format::Docx).parse(data);
});
