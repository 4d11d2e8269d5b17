//! Records from a reader are held in memory, so reading stops at the `record-file` limit: an endless
//! reader is refused, never read forever. Its own test binary, because limits are process-wide.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use precept::Records;

#[test]
fn an_endless_reader_is_refused_at_the_record_file_limit() {
    precept::input::set_limit(precept::input::Kind::RecordFile, 1024);
    let d = Records::read("stdin.jsonl", precept::Format::Jsonl, std::io::repeat(b'x')).unwrap_err();
    assert_eq!(d.code, "precept::input::too-large");
    assert!(d.message.contains("stdin.jsonl"), "{}", d.message);
    // Exactly at the limit is read.
    let ok = Records::read("a.jsonl", precept::Format::Jsonl, std::io::Cursor::new(vec![b'\n'; 1024]));
    assert!(ok.is_ok());
}
