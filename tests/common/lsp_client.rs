//! A client of `precept lsp` for the tests and the benchmark: starts the built binary and speaks
//! JSON-RPC to it with `Content-Length` framing. Every read waits at most [`WAIT`], so a server
//! that stops answering fails the caller instead of hanging it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code, reason = "test support")]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The longest wait for any message.
pub const WAIT: Duration = Duration::from_secs(30);

/// A running server and the messages read from it.
pub struct Client {
    /// The server process.
    pub child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else, oldest first.
    pub backlog: Vec<Value>,
}

impl Client {
    /// Start `precept lsp` (the binary at `exe`) in the folder `root`.
    pub fn start(exe: &str, root: &Path) -> Client {
        Client::start_with(exe, root, &["lsp"])
    }

    /// Start the binary at `exe` with `args` in the folder `root`.
    pub fn start_with(exe: &str, root: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(exe)
            .args(args)
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("every message has a Content-Length")];
                if out.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice::<Value>(&body).expect("the server writes JSON")).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, rx, next_id: 0, backlog: Vec::new() }
    }

    pub fn write_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        self.write_raw(&[format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), &body].concat());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn recv(&mut self) -> Value {
        self.rx.recv_timeout(WAIT).unwrap_or_else(|_| panic!("no message from the server within {WAIT:?}"))
    }

    /// Send a request and wait for its response (the whole message, `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            let msg = self.recv();
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                return msg;
            }
            self.backlog.push(msg);
        }
        panic!("no response to `{method}` within {WAIT:?}");
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(i) = self.backlog.iter().position(|m| is_publish_for(m, uri)) {
                let msg = self.backlog.remove(i);
                return msg["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            assert!(Instant::now() < deadline, "no diagnostics for {uri} within {WAIT:?}");
            let msg = self.recv();
            self.backlog.push(msg);
        }
    }

    pub fn initialize(&mut self, root: &Path) -> Value {
        let response = self.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(root), "capabilities": {},
                   "workspaceFolders": [{"uri": uri(root), "name": "policies"}]}),
        );
        self.notify("initialized", json!({}));
        response
    }

    /// `shutdown`, then `exit`: the server must end with status 0.
    pub fn shutdown(mut self) {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert_eq!(status.code(), Some(0));
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit within {WAIT:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn is_publish_for(msg: &Value, uri: &str) -> bool {
    msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri
}

/// The `file://` URI of an absolute path.
pub fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
