//! The stdio connection: `Content-Length` framed JSON-RPC messages read on one thread and written
//! on another, handed to the server loop as `lsp_server` messages.
//!
//! Why not `lsp_server::Connection::stdio`: its reader thread stops at the first message that is
//! not valid JSON-RPC (a bad header, a body that is not JSON), and the server then has no input
//! left. A client bug must cost one message, not the session, so this reader skips what it cannot
//! read and tells the loop (as a [`MALFORMED`] notification, which the loop logs), then goes on.

use std::io::{BufRead, Read, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use lsp_server::{Connection, Message, Notification};

/// The method of the notification the reader sends the loop for a message it could not read; it
/// never comes from a client (`$/` methods are the protocol's own, and this one is not in it).
pub const MALFORMED: &str = "$/precept/malformed";

/// The largest message body read (a policy folder's text is far smaller); a longer one is skipped.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The writer thread, joined at the end so that every message sent is written before the process
/// ends.
pub struct Writer(JoinHandle<()>);

impl Writer {
    /// Wait until every message sent has been written (the connection must be dropped first).
    pub fn join(self) {
        let _ = self.0.join();
    }
}

/// A connection over this process's stdin and stdout.
pub fn stdio() -> (Connection, Writer) {
    let (out_tx, out_rx): (Sender<Message>, Receiver<Message>) = unbounded();
    let writer = std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut stdout = stdout.lock();
        for msg in out_rx {
            if msg.write(&mut stdout).is_err() {
                break;
            }
        }
        let _ = stdout.flush();
    });
    let (in_tx, in_rx) = bounded::<Message>(64);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut stdin = stdin.lock();
        read_loop(&mut stdin, &in_tx);
    });
    (Connection { sender: out_tx, receiver: in_rx }, Writer(writer))
}

/// Read messages from `input` until it ends (or the loop stops listening), sending each to `tx`;
/// what cannot be read becomes a [`MALFORMED`] notification.
pub fn read_loop(input: &mut impl BufRead, tx: &Sender<Message>) {
    loop {
        let msg = match read_frame(input) {
            Frame::End => return,
            Frame::Bad(why) => malformed(why),
            Frame::Body(body) => match serde_json::from_slice::<Message>(&body) {
                Ok(msg) => msg,
                Err(e) => malformed(format!("a message that is not JSON-RPC: {e}")),
            },
        };
        let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
        if tx.send(msg).is_err() || exit {
            return;
        }
    }
}

fn malformed(why: String) -> Message {
    Message::Notification(Notification::new(MALFORMED.to_string(), why))
}

enum Frame {
    Body(Vec<u8>),
    Bad(String),
    End,
}

/// One framed message: headers up to an empty line, then `Content-Length` bytes.
fn read_frame(input: &mut impl BufRead) -> Frame {
    let mut length: Option<usize> = None;
    let mut bad_header = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return Frame::End,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if length.is_some() || bad_header.is_some() {
                break;
            }
            // Blank lines between messages are skipped.
            continue;
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad_header = Some(format!("a `Content-Length` that is not a number: `{}`", value.trim())),
                }
            }
            Some(_) => {}
            None => bad_header = Some(format!("a header line that is not `Name: value`: `{}`", clip(text))),
        }
    }
    match (length, bad_header) {
        (_, Some(why)) => Frame::Bad(why),
        (None, None) => Frame::Bad("a message without `Content-Length`".to_string()),
        (Some(n), None) if n > MAX_BODY => {
            let skipped = std::io::copy(&mut input.take(n as u64), &mut std::io::sink());
            match skipped {
                Ok(_) => Frame::Bad(format!("a message of {n} bytes, over the limit of {MAX_BODY}")),
                Err(_) => Frame::End,
            }
        }
        (Some(n), None) => {
            let mut body = vec![0; n];
            match input.read_exact(&mut body) {
                Ok(()) => Frame::Body(body),
                Err(_) => Frame::End,
            }
        }
    }
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str) -> Vec<Message> {
        let (tx, rx) = unbounded();
        read_loop(&mut input.as_bytes(), &tx);
        drop(tx);
        rx.into_iter().collect()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_messages_are_skipped_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input =
            [frame("{not json"), "Content-Length: ten\r\n\r\n".to_string(), "garbage\r\n\r\n".to_string(), frame(good)]
                .concat();
        let methods: Vec<String> = read_all(&input)
            .into_iter()
            .map(|m| match m {
                Message::Notification(n) => n.method,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(methods, [MALFORMED, MALFORMED, MALFORMED, "initialized"]);
    }

    #[test]
    fn reading_stops_at_exit_and_at_a_cut_message() {
        let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let after = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        assert_eq!(read_all(&[frame(exit), frame(after)].concat()).len(), 1);
        assert!(read_all("Content-Length: 100\r\n\r\n{}").is_empty());
    }
}
