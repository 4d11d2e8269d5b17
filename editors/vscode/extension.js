// The Precept extension: the grammar and language configuration are declared in package.json;
// this file starts the language server (`precept lsp`, over stdio) and keeps it running.
//
// Plain JavaScript (CommonJS), so the extension needs no build step: `vsce package` ships this
// file and the production dependency `vscode-languageclient` as they are.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** The `precept` binary to run: the `precept.path` setting, else `precept` on PATH. */
function preceptPath() {
  const configured = vscode.workspace.getConfiguration('precept').get('path');
  return typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : 'precept';
}

function createClient() {
  const command = preceptPath();
  const serverOptions = {
    // No `transport`: the client then talks over stdio all the same, without adding `--stdio` to
    // the arguments (older `precept lsp` builds refuse arguments they do not know).
    run: { command, args: ['lsp'] },
    debug: { command, args: ['lsp'] },
  };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'precept' }, { scheme: 'untitled', language: 'precept' }],
    // Role and staff files are linted by the server too; it is told when they change.
    synchronize: {
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/*.precept'),
        vscode.workspace.createFileSystemWatcher('**/*.toml'),
      ],
    },
    outputChannelName: 'Precept',
  };
  return new LanguageClient('precept', 'Precept', serverOptions, clientOptions);
}

async function start(context) {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const choice = await vscode.window.showErrorMessage(
      `Precept: could not start the language server \`${preceptPath()} lsp\`: ${message}. ` +
        'Install precept (cargo install --path .) or set `precept.path` to the binary.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'precept.path');
    }
  }
  context.subscriptions.push({ dispose: () => stop() });
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop().catch(() => undefined);
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('precept.restartServer', async () => {
      await stop();
      await start(context);
    }),
    // A new binary path takes effect at once, without reloading the window.
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('precept.path')) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate, preceptPath };
