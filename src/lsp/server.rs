//! The server loop: the handshake, then one message at a time, analysis when documents change.
//!
//! Changes are cheap to take in and analysis is not, so a change only marks the projects dirty;
//! the analysis runs when no message is waiting (a burst of keystrokes is analysed once) or when
//! a request needs it. Diagnostics are published for every file whose list changed, an empty
//! list for a file whose problems are gone, and always for the documents just edited (an editor
//! waits for them).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crossbeam_channel::TryRecvError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::{
    CompletionOptions, CompletionParams, CompletionResponse, Diagnostic, DocumentSymbolParams, DocumentSymbolResponse,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, Location, MarkupContent, MarkupKind, OneOf, PositionEncodingKind, PublishDiagnosticsParams,
    ReferenceParams, ServerCapabilities, ServerInfo, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use serde_json::Value;

use super::documents::Doc;
use super::position::{path_to_uri, uri_to_path, Encoding, Lines};
use super::project::{Overlay, Project};
use super::spot::Spot;
use super::transport::MALFORMED;

/// Run the server on stdin and stdout until the client says `exit`. Returns whether it ended as
/// the protocol asks (`shutdown` before `exit`).
pub fn run() -> bool {
    let (connection, writer) = super::transport::stdio();
    let clean = match serve(&connection) {
        Ok(clean) => clean,
        Err(e) => {
            eprintln!("precept lsp: {e}");
            false
        }
    };
    drop(connection);
    writer.join();
    clean
}

fn serve(connection: &Connection) -> Result<bool, lsp_server::ProtocolError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let enc = encoding(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(enc),
        "serverInfo": ServerInfo { name: "precept".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server::new(connection, enc, roots(&params));
    server.analyze_all();
    loop {
        let msg = if server.dirty {
            match connection.receiver.try_recv() {
                Ok(msg) => msg,
                Err(TryRecvError::Empty) => {
                    server.refresh();
                    continue;
                }
                Err(TryRecvError::Disconnected) => return Ok(false),
            }
        } else {
            match connection.receiver.recv() {
                Ok(msg) => msg,
                Err(_) => return Ok(false),
            }
        };
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(true);
                }
                server.request(req);
            }
            Message::Notification(n) if n.method == "exit" => return Ok(false),
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
    }
}

/// UTF-8 positions when the client offers them (no conversion), else UTF-16.
fn encoding(params: &InitializeParams) -> Encoding {
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), " ".to_string(), "{".to_string(), "\"".to_string()]),
            ..Default::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..Default::default()
    }
}

/// The workspace folders, else the root the client gave; as absolute, resolved paths.
fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> =
        params.workspace_folders.iter().flatten().filter_map(|f| uri_to_path(&f.uri)).collect();
    #[allow(deprecated)] // `rootUri` is superseded by `workspaceFolders`, which older clients do not send.
    if roots.is_empty() {
        roots.extend(params.root_uri.as_ref().and_then(uri_to_path));
    }
    roots.into_iter().map(|r| std::fs::canonicalize(&r).unwrap_or(r)).collect()
}

struct Server<'c> {
    connection: &'c Connection,
    enc: Encoding,
    projects: Vec<Project>,
    docs: HashMap<PathBuf, Doc>,
    /// What was last published, by URI.
    published: HashMap<String, Vec<Diagnostic>>,
    /// Documents changed since the last analysis: always published.
    touched: HashSet<PathBuf>,
    dirty: bool,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, enc: Encoding, roots: Vec<PathBuf>) -> Server<'c> {
        let projects = roots.into_iter().map(Project::new).collect();
        Server {
            connection,
            enc,
            projects,
            docs: HashMap::new(),
            published: HashMap::new(),
            touched: HashSet::new(),
            dirty: false,
        }
    }

    fn send(&self, msg: Message) {
        let _ = self.connection.sender.send(msg);
    }

    fn overlay(&self) -> Overlay {
        self.docs.iter().map(|(p, d)| (p.clone(), d.text.clone())).collect()
    }

    fn analyze_all(&mut self) {
        let overlay = self.overlay();
        for p in &mut self.projects {
            p.analyze(&overlay);
        }
        self.publish();
    }

    /// Analyse again if anything changed.
    fn refresh(&mut self) {
        if self.dirty {
            self.dirty = false;
            self.analyze_all();
        }
    }

    /// The project a file belongs to: the innermost workspace folder holding it.
    fn find_project(&self, path: &Path) -> Option<usize> {
        self.projects
            .iter()
            .enumerate()
            .filter(|(_, p)| p.holds(path))
            .max_by_key(|(_, p)| p.root.components().count())
            .map(|(i, _)| i)
    }

    /// The project of a file being opened: [`Server::find_project`], else (a file opened from
    /// outside every workspace folder) a loose project of its own folder, made now.
    fn project_for_open(&mut self, path: &Path) -> usize {
        match self.find_project(path) {
            Some(i) => i,
            None => {
                let root = path.parent().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
                self.projects.push(Project::loose(root));
                self.projects.len() - 1
            }
        }
    }

    fn publish(&mut self) {
        let mut now: HashMap<String, (Uri, Vec<Diagnostic>)> = HashMap::new();
        for project in &self.projects {
            let root = project.root.clone();
            let docs = &self.docs;
            let uri_of = |name: &str| -> Option<Uri> {
                let path = root.join(name);
                match docs.get(&path) {
                    Some(d) => Some(d.uri.clone()),
                    None => path_to_uri(&path),
                }
            };
            for (path, diags) in &project.analysis.diags {
                let Some(uri) = docs.get(path).map(|d| d.uri.clone()).or_else(|| path_to_uri(path)) else { continue };
                let list: Vec<Diagnostic> =
                    diags.iter().map(|d| super::diagnostics::convert(d, self.enc, &uri_of)).collect();
                now.entry(uri.as_str().to_string()).or_insert_with(|| (uri, Vec::new())).1.extend(list);
            }
        }
        let touched: HashSet<String> =
            self.touched.drain().filter_map(|p| self.docs.get(&p).map(|d| d.uri.as_str().to_string())).collect();
        let mut out = Vec::new();
        for (key, (uri, list)) in &now {
            // A file never published and still clean needs no message.
            let changed = self.published.get(key).map_or(!list.is_empty(), |old| old != list);
            if touched.contains(key) || changed {
                out.push((uri.clone(), list.clone()));
            }
        }
        for (key, old) in &self.published {
            if !now.contains_key(key) && !old.is_empty() {
                if let Ok(uri) = key.parse::<Uri>() {
                    out.push((uri, Vec::new()));
                }
            }
        }
        out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        for (uri, diagnostics) in out {
            let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
            self.send(Message::Notification(Notification::new(
                lsp_types::notification::PublishDiagnostics::METHOD.to_string(),
                params,
            )));
        }
        self.published = now.into_iter().map(|(k, (_, v))| (k, v)).collect();
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::*;
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    if let Some(path) = self.path(&p.text_document.uri) {
                        let known = self.projects.iter().any(|pr| pr.reads(&path));
                        let i = self.project_for_open(&path);
                        if !known || !path.exists() {
                            self.projects[i].relist();
                        }
                        self.docs.insert(path.clone(), Doc::new(p.text_document.uri, p.text_document.text));
                        self.touched.insert(path);
                        self.dirty = true;
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    if let Some(path) = self.path(&p.text_document.uri) {
                        if let Some(doc) = self.docs.get_mut(&path) {
                            doc.apply(p.content_changes, self.enc);
                            self.touched.insert(path);
                            self.dirty = true;
                        }
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    if let Some(path) = self.path(&p.text_document.uri) {
                        self.docs.remove(&path);
                        // The file on disk (if still there) is what counts now.
                        for pr in &mut self.projects {
                            pr.relist();
                        }
                        self.dirty = true;
                    }
                }
            }
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD | DidChangeWorkspaceFolders::METHOD => {
                if n.method == DidChangeWorkspaceFolders::METHOD {
                    self.workspace_folders(n.params);
                }
                for pr in &mut self.projects {
                    pr.relist();
                }
                self.dirty = true;
            }
            MALFORMED => {
                let text = n.params.as_str().unwrap_or("a message that could not be read").to_string();
                self.log(&format!("precept lsp ignored {text}"));
            }
            _ => {}
        }
    }

    fn workspace_folders(&mut self, params: Value) {
        let Ok(p) = serde_json::from_value::<lsp_types::DidChangeWorkspaceFoldersParams>(params) else { return };
        // Roots are kept resolved (see `roots`): a folder named through a link is removed too.
        let removed: Vec<PathBuf> = p
            .event
            .removed
            .iter()
            .filter_map(|f| uri_to_path(&f.uri))
            .map(|r| std::fs::canonicalize(&r).unwrap_or(r))
            .collect();
        self.projects.retain(|pr| !removed.contains(&pr.root));
        for added in p.event.added.iter().filter_map(|f| uri_to_path(&f.uri)) {
            self.projects.push(Project::new(std::fs::canonicalize(&added).unwrap_or(added)));
        }
    }

    fn log(&self, message: &str) {
        let params = lsp_types::LogMessageParams { typ: lsp_types::MessageType::WARNING, message: message.to_string() };
        self.send(Message::Notification(Notification::new(
            lsp_types::notification::LogMessage::METHOD.to_string(),
            params,
        )));
    }

    /// The path of a document URI, resolved like the workspace folders (so that both agree).
    fn path(&self, uri: &Uri) -> Option<PathBuf> {
        let path = uri_to_path(uri)?;
        if let Some(known) = self.docs.iter().find(|(_, d)| d.uri.as_str() == uri.as_str()).map(|(p, _)| p.clone()) {
            return Some(known);
        }
        Some(match (path.parent().and_then(|d| std::fs::canonicalize(d).ok()), path.file_name()) {
            (Some(dir), Some(name)) => dir.join(name),
            _ => path,
        })
    }

    fn request(&mut self, req: Request) {
        use lsp_types::request::*;
        self.refresh();
        let id = req.id.clone();
        let result: Result<Value, (ErrorCode, String)> = match req.method.as_str() {
            HoverRequest::METHOD => {
                self.with_params(req, |s, p: HoverParams| s.hover(&p.text_document_position_params))
            }
            GotoDefinition::METHOD => {
                self.with_params(req, |s, p: GotoDefinitionParams| s.definition(&p.text_document_position_params))
            }
            References::METHOD => self.with_params(req, |s, p: ReferenceParams| {
                s.references(&p.text_document_position, p.context.include_declaration)
            }),
            Completion::METHOD => {
                self.with_params(req, |s, p: CompletionParams| s.completion(&p.text_document_position))
            }
            DocumentSymbolRequest::METHOD => {
                self.with_params(req, |s, p: DocumentSymbolParams| s.symbols(&p.text_document.uri))
            }
            Formatting::METHOD => {
                self.with_params(req, |s, p: lsp_types::DocumentFormattingParams| s.formatting(&p.text_document.uri))
            }
            _ => Err((ErrorCode::MethodNotFound, format!("`{}` is not supported", req.method))),
        };
        let response = match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(Message::Response(response));
    }

    fn with_params<P: serde::de::DeserializeOwned, R: serde::Serialize>(
        &mut self,
        req: Request,
        f: impl FnOnce(&mut Self, P) -> R,
    ) -> Result<Value, (ErrorCode, String)> {
        let params: P = serde_json::from_value(req.params)
            .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters for `{}`: {e}", req.method)))?;
        let result = f(self, params);
        serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    /// The spot at a document position, and the project it is in.
    fn spot<T>(&mut self, at: &TextDocumentPositionParams, f: impl FnOnce(&Spot, &Project, &Lines) -> T) -> Option<T> {
        let path = self.path(&at.text_document.uri)?;
        let project = &self.projects[self.find_project(&path)?];
        let analysis = &project.analysis;
        let indexed = analysis.file(&path);
        let (text, lines) = match self.docs.get(&path) {
            Some(d) => (d.text.as_str(), d.lines.clone()),
            None => {
                let (file, _) = indexed?;
                let text: &str = &analysis.index.files.get(file)?.text;
                (text, Lines::new(text))
            }
        };
        let offset = lines.offset(text, at.position, self.enc);
        let spot = Spot {
            analysis,
            file: indexed.map(|(f, _)| f),
            fresh: indexed.is_some_and(|(_, fresh)| fresh),
            text,
            offset,
        };
        Some(f(&spot, project, &lines))
    }

    fn location(&self, project: &Project, file: usize, span: crate::source::Span) -> Option<Location> {
        let path = project.analysis.path(file)?;
        let uri = self.docs.get(path).map(|d| d.uri.clone()).or_else(|| path_to_uri(path))?;
        let source = project.analysis.index.files.get(file)?;
        let range = Lines::new(&source.text).range(&source.text, span, self.enc);
        Some(Location { uri, range })
    }

    fn hover(&mut self, at: &TextDocumentPositionParams) -> Option<Hover> {
        let enc = self.enc;
        self.spot(at, |spot, _, lines| {
            let (text, span) = super::hover::hover(spot)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }),
                range: Some(lines.range(spot.text, span, enc)),
            })
        })
        .flatten()
    }

    fn definition(&mut self, at: &TextDocumentPositionParams) -> Option<GotoDefinitionResponse> {
        let found = self.spot(at, |spot, _, _| super::navigate::definition(spot)).flatten()?;
        let path = self.path(&at.text_document.uri)?;
        let location = self.location(&self.projects[self.find_project(&path)?], found.0, found.1)?;
        Some(GotoDefinitionResponse::Scalar(location))
    }

    fn references(&mut self, at: &TextDocumentPositionParams, declaration: bool) -> Option<Vec<Location>> {
        let places = self.spot(at, |spot, _, _| super::navigate::references(spot, declaration))?;
        let path = self.path(&at.text_document.uri)?;
        let project = &self.projects[self.find_project(&path)?];
        Some(places.into_iter().filter_map(|(file, span)| self.location(project, file, span)).collect())
    }

    fn completion(&mut self, at: &TextDocumentPositionParams) -> Option<CompletionResponse> {
        self.spot(at, |spot, _, _| CompletionResponse::Array(super::completion::complete(spot)))
    }

    fn symbols(&mut self, uri: &Uri) -> Option<DocumentSymbolResponse> {
        let path = self.path(uri)?;
        let analysis = &self.projects[self.find_project(&path)?].analysis;
        let (file, _) = analysis.file(&path)?;
        Some(DocumentSymbolResponse::Nested(super::symbols::outline(&analysis.index, file, self.enc)))
    }

    /// The whole open document in the layout of `precept fmt` (editors only ask for open ones).
    fn formatting(&mut self, uri: &Uri) -> Option<Vec<lsp_types::TextEdit>> {
        let path = self.path(uri)?;
        let doc = self.docs.get(&path)?;
        super::formatting::edits(&path.display().to_string(), &doc.text, &doc.lines, self.enc)
    }
}
