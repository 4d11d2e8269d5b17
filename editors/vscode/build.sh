#!/usr/bin/env bash
# Build the VS Code extension: install the locked npm dependencies, test the grammar and the
# client code, and package the extension as dist/precept-<version>.vsix (dist/ is ignored by git).
# Needs node (20 or later) and npm, and the npm registry.
set -euo pipefail
cd "$(dirname "$0")"

echo "== npm ci"
npm ci --no-audit --no-fund

# The scope assertions of every fixture (tests/*.precept), as vscode-tmgrammar-test reports them.
echo "== grammar tests: vscode-tmgrammar-test"
npx --no-install vscode-tmgrammar-test --grammar syntaxes/precept.tmLanguage.json "tests/*.precept"

# Every grammar pattern is needed by a fixture, every keyword of grammar/precept.pest is
# highlighted, and the client starts `precept lsp` as configured.
echo "== grammar coverage and client tests: node --test"
node --test tests/

echo "== vsce package"
rm -rf dist
mkdir -p dist
npx --no-install vsce package --skip-license --allow-missing-repository --out dist/
ls dist/*.vsix
