#!/usr/bin/env bash
# Re-creates src/clusterkg/serve/static/vendor/ from the npm registry: the pages load these files
# from the server itself, never from a CDN. Pinned in package.json here; checks the tarball's
# integrity, then copies only the files the query page uses, with the licence.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../src/clusterkg/serve/static/vendor/codemirror"
version="$(node -p "require('$here/package.json').dependencies.codemirror")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "codemirror@$version" >/dev/null)
tarball="$work/codemirror-$version.tgz"
expected="$(node -p "require('$here/package.json').integrity.codemirror")"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
[ "$actual" = "$expected" ] || { echo "integrity mismatch for codemirror $version" >&2; exit 1; }
tar -xzf "$tarball" -C "$work"
for file in LICENSE lib/codemirror.js lib/codemirror.css mode/sparql/sparql.js \
    addon/hint/show-hint.js addon/hint/show-hint.css; do
    install -D -m 0644 "$work/package/$file" "$out/$file"
done
echo "codemirror $version -> $out"
