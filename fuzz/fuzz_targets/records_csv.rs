//! A Csv record file, read and checked against every schema of the bundled policies (with the
//! bundled role files as the authority), then rendered in every report format.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    precept_fuzz::check_records(precept::data::Format::Csv, "csv", data);
});
