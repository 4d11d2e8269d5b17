//! Policy text -> `formatter::format_text`: for any text that parses, the formatted text parses to
//! the same tree (spans aside), keeps every comment after the same token, and formatting it again
//! changes nothing (`formatter::verify::check_promises`). Text that does not parse is refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use precept::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    // Policy files are read as UTF-8 text; other bytes are refused before the parser sees them.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("fuzz.precept", text);
    if let Err(broken) = precept::formatter::verify::check_promises(&file) {
        panic!("{broken}\n--- input\n{text}");
    }
});
