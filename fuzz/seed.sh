#!/bin/sh
# Seed each fuzz target's corpus (fuzz/corpus/<target>/) from the bundled policies and fixtures.
# The corpus is not committed: run this before the first `cargo +nightly fuzz run`. Safe to run
# again: files are copied under a name made from their path, so nothing is duplicated.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
corpus="$here/corpus"

# seed TARGET FILE...: copy each FILE into the target's corpus.
seed() {
    target=$1
    shift
    mkdir -p "$corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        name=$(printf '%s' "${f#"$root"/}" | tr '/' '_')
        cp "$f" "$corpus/$target/$name"
    done
}

cd "$root"
seed policy $(find policies fixtures tests -name '*.precept' 2>/dev/null)
seed format $(find policies examples fixtures tests -name '*.precept' 2>/dev/null)
seed records_jsonl $(find fixtures tests -name '*.jsonl' -o -name '*.ndjson' 2>/dev/null)
seed records_json $(find fixtures tests -name '*.json' 2>/dev/null | grep -v -e baseline -e '\.snap')
seed records_csv $(find fixtures tests -name '*.csv' 2>/dev/null)
seed records_toml $(find fixtures/records fixtures/input fixtures/clean -name '*.toml' 2>/dev/null)
seed roles $(find fixtures/org fixtures/lint fixtures/clean/org -name '*.toml' 2>/dev/null)
seed settings precept.toml $(find fixtures tests -name 'precept*.toml' 2>/dev/null)
seed suppress $(find fixtures tests -name '*waiver*.toml' -o -name '*baseline*.json' 2>/dev/null)
# Hand-written seeds for the files the fixtures have few of (settings, waivers, baselines).
for dir in "$here"/seeds/*/; do
    seed "$(basename "$dir")" $(find "$dir" -type f)
done
# The fuzz-found inputs kept as regression fixtures seed their targets too.
for dir in fixtures/fuzz/*/; do
    [ -d "$dir" ] || continue
    seed "$(basename "$dir")" $(find "$dir" -type f ! -name README.md)
done
for t in "$corpus"/*/; do
    printf '%s: %s files\n' "$(basename "$t")" "$(ls "$t" | wc -l)"
done
