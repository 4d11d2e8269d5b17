// Checks of the TextMate grammar beyond the scope assertions in tests/*.precept (which
// `vscode-tmgrammar-test` runs):
//
// - every pattern of the grammar is needed by the fixtures: with any one `match` or `begin` made
//   to match nothing, some assertion fails, so no token kind is left untested;
// - every keyword of grammar/precept.pest appears in a fixture and is highlighted there as a
//   keyword, type or constant, never as a plain name.
//
// Run with `node --test tests/` (build.sh does).
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { createRegistryFromGrammars } = require('vscode-tmgrammar-test/dist/common/index.js');
const { parseGrammarTestCase, runGrammarTestCase } = require('vscode-tmgrammar-test/dist/unit/index.js');

const here = path.join(__dirname, '..');
const grammarPath = path.join(here, 'syntaxes', 'precept.tmLanguage.json');
const grammar = JSON.parse(fs.readFileSync(grammarPath, 'utf8'));
const fixtures = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.precept'))
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(__dirname, f), 'utf8') }));

/** The failures of every fixture against `raw` (a grammar object). */
async function failures(raw) {
  const registry = createRegistryFromGrammars([
    { grammar: { path: grammarPath, scopeName: raw.scopeName }, content: JSON.stringify(raw) },
  ]);
  const all = [];
  for (const { file, text } of fixtures) {
    const found = await runGrammarTestCase(registry, parseGrammarTestCase(text));
    all.push(...found.map((f) => ({ file, ...f })));
  }
  return all;
}

/** Every object of the grammar with a `match` or `begin` regex, with a path naming it. */
function patterns(node, where, out) {
  if (Array.isArray(node)) {
    node.forEach((child, i) => patterns(child, `${where}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    if (typeof node.match === 'string') out.push({ where, key: 'match', node });
    if (typeof node.begin === 'string') out.push({ where, key: 'begin', node });
    for (const [k, v] of Object.entries(node)) {
      if (k === 'captures' || k === 'beginCaptures' || k === 'endCaptures') continue;
      patterns(v, `${where}.${k}`, out);
    }
  }
  return out;
}

test('the fixtures pass against the grammar', async () => {
  assert.ok(fixtures.length >= 5, 'the fixtures are found');
  assert.deepStrictEqual(await failures(grammar), []);
});

test('every pattern of the grammar is needed by some fixture assertion', async () => {
  const all = patterns(grammar, 'grammar', []);
  assert.ok(all.length > 80, `the patterns are found (${all.length})`);
  const unneeded = [];
  for (const p of all) {
    const original = p.node[p.key];
    // A regex that never matches: the pattern is as good as gone.
    p.node[p.key] = '(?!)';
    try {
      if ((await failures(grammar)).length === 0) unneeded.push(`${p.where}.${p.key}: ${original}`);
    } finally {
      p.node[p.key] = original;
    }
  }
  assert.deepStrictEqual(unneeded, [], 'patterns whose loss no fixture notices (add assertions for them)');
});

test('every keyword of grammar/precept.pest is highlighted as a keyword in a fixture', async () => {
  const pest = fs.readFileSync(path.join(here, '..', '..', 'grammar', 'precept.pest'), 'utf8');
  const keywords = [...pest.matchAll(/^kw_\w+\s*=\s*@\{\s*"([a-z]+)"/gm)].map((m) => m[1]);
  assert.ok(keywords.length > 100, `the keywords are found (${keywords.length})`);
  const registry = createRegistryFromGrammars([{ grammar: { path: grammarPath, scopeName: grammar.scopeName }, content: JSON.stringify(grammar) }]);
  const tm = await registry.loadGrammar(grammar.scopeName);
  const vsctm = require('vscode-textmate');
  // Scopes a keyword may get, by what it does: a keyword, a type, a language constant, a unit,
  // a built-in function (`count`, `business days between`), or a declaration keyword.
  const keywordish = /^(keyword|storage\.type|support\.type|support\.function\.builtin|constant\.language)\./;
  const highlighted = new Set();
  for (const { text } of fixtures) {
    let state = vsctm.INITIAL;
    for (const line of text.split('\n')) {
      const r = tm.tokenizeLine(line, state);
      state = r.ruleStack;
      if (/^\/\/\s*(\^|<-)/.test(line) || line.startsWith('// SYNTAX TEST')) continue;
      for (const t of r.tokens) {
        const leaf = t.scopes[t.scopes.length - 1];
        if (!keywordish.test(leaf)) continue;
        for (const word of line.slice(t.startIndex, t.endIndex).match(/[a-z]+/g) || []) highlighted.add(word);
      }
    }
  }
  const missing = keywords.filter((k) => !highlighted.has(k));
  assert.deepStrictEqual(missing, [], 'keywords of precept.pest no fixture shows highlighted');
});
