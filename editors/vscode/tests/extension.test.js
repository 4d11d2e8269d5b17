// The extension's client code, with VS Code and the language client replaced by recording
// stand-ins: it starts `<precept.path> lsp` over stdio for `precept` documents, restarts it on
// command and when the setting changes, and says how to fix a binary that cannot be started.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const Module = require('node:module');
const path = require('node:path');

/** A fresh extension module over stand-ins; returns the module and what the stand-ins saw. */
function load({ setting, startFails = false } = {}) {
  const seen = { clients: [], commands: {}, configListeners: [], errors: [], executed: [] };
  const vscode = {
    workspace: {
      getConfiguration: (section) => ({ get: (key) => (section === 'precept' && key === 'path' ? seen.setting : undefined) }),
      createFileSystemWatcher: (glob) => ({ glob }),
      onDidChangeConfiguration: (listener) => {
        seen.configListeners.push(listener);
        return { dispose() {} };
      },
    },
    commands: {
      registerCommand: (name, fn) => {
        seen.commands[name] = fn;
        return { dispose() {} };
      },
      executeCommand: async (...args) => {
        seen.executed.push(args);
      },
    },
    window: {
      showErrorMessage: async (message, ...actions) => {
        seen.errors.push({ message, actions });
        return actions[0];
      },
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      seen.clients.push(this);
    }
    async start() {
      if (startFails) throw new Error('spawn precept-missing ENOENT');
      this.started = true;
    }
    async stop() {
      this.stopped = true;
    }
  }
  const stubs = { vscode, 'vscode-languageclient/node': { LanguageClient } };
  const original = Module._load;
  Module._load = function (request, ...rest) {
    return Object.prototype.hasOwnProperty.call(stubs, request) ? stubs[request] : original.call(this, request, ...rest);
  };
  const file = path.join(__dirname, '..', 'extension.js');
  delete require.cache[require.resolve(file)];
  try {
    seen.setting = setting;
    return { extension: require(file), seen };
  } finally {
    Module._load = original;
  }
}

const context = () => ({ subscriptions: [] });

test('starts `precept lsp` over stdio for precept documents', async () => {
  const { extension, seen } = load({ setting: '/opt/precept/bin/precept' });
  await extension.activate(context());
  assert.strictEqual(seen.clients.length, 1);
  const [client] = seen.clients;
  assert.ok(client.started);
  assert.deepStrictEqual(client.serverOptions.run, { command: '/opt/precept/bin/precept', args: ['lsp'] });
  assert.deepStrictEqual(client.serverOptions.debug, client.serverOptions.run);
  assert.ok(client.clientOptions.documentSelector.some((s) => s.language === 'precept' && s.scheme === 'file'));
  assert.deepStrictEqual(
    client.clientOptions.synchronize.fileEvents.map((w) => w.glob),
    ['**/*.precept', '**/*.toml'],
  );
});

test('without a setting, `precept` is looked up on PATH', () => {
  for (const setting of [undefined, '', '   ']) {
    const { extension } = load({ setting });
    assert.strictEqual(extension.preceptPath(), 'precept');
  }
});

test('the restart command and a changed `precept.path` start a new server', async () => {
  const { extension, seen } = load({ setting: 'precept' });
  await extension.activate(context());
  await seen.commands['precept.restartServer']();
  assert.strictEqual(seen.clients.length, 2);
  assert.ok(seen.clients[0].stopped && seen.clients[1].started);

  seen.setting = '/usr/local/bin/precept';
  await seen.configListeners[0]({ affectsConfiguration: (s) => s === 'precept.path' });
  assert.strictEqual(seen.clients.length, 3);
  assert.strictEqual(seen.clients[2].serverOptions.run.command, '/usr/local/bin/precept');
  // Another setting changes nothing.
  await seen.configListeners[0]({ affectsConfiguration: () => false });
  assert.strictEqual(seen.clients.length, 3);
  await extension.deactivate();
  assert.ok(seen.clients[2].stopped);
});

test('a server that cannot start is an error message that leads to the setting', async () => {
  const { extension, seen } = load({ setting: 'precept-missing', startFails: true });
  await extension.activate(context());
  assert.strictEqual(seen.errors.length, 1);
  assert.match(seen.errors[0].message, /precept-missing lsp/);
  assert.match(seen.errors[0].message, /ENOENT/);
  assert.match(seen.errors[0].message, /precept\.path/);
  assert.deepStrictEqual(seen.executed, [['workbench.action.openSettings', 'precept.path']]);
});

test('the manifest contributes the language, the grammar and the setting', () => {
  const manifest = require('../package.json');
  const [language] = manifest.contributes.languages;
  assert.strictEqual(language.id, 'precept');
  assert.deepStrictEqual(language.extensions, ['.precept']);
  assert.strictEqual(language.configuration, './language-configuration.json');
  const [grammar] = manifest.contributes.grammars;
  assert.strictEqual(grammar.scopeName, require('../syntaxes/precept.tmLanguage.json').scopeName);
  assert.strictEqual(manifest.contributes.configuration.properties['precept.path'].default, 'precept');
  assert.strictEqual(manifest.main, './extension.js');
  const config = require('../language-configuration.json');
  assert.strictEqual(config.comments.lineComment, '//');
  assert.ok(config.autoClosingPairs.some((p) => p.open === '"' && p.close === '"'));
  assert.ok(config.brackets.some(([o, c]) => o === '{' && c === '}'));
});
