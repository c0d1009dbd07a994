#!/usr/bin/env bash
# `make install` into a temporary prefix, used from another folder with an empty home:
# the binary runs without the Swift toolchain's libraries and finds its themes, the manual
# page and the completions name the subcommands, and `make uninstall` removes exactly what
# install wrote. Run by .ci/run after `swift test` (it makes a release build).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=$(mktemp -d "${TMPDIR:-/tmp}/tinytalk-prefix.XXXXXX")
home=$(mktemp -d "${TMPDIR:-/tmp}/tinytalk-home.XXXXXX")
trap 'rm -rf "$prefix" "$home"' EXIT
fail() { echo "install-test: FAIL: $*" >&2; exit 1; }

make install PREFIX="$prefix" >"$home/make.log" 2>&1 || { tail -n 40 "$home/make.log" >&2; fail "make install"; }

installed=(
    bin/tinytalk
    share/man/man1/tinytalk.1
    share/bash-completion/completions/tinytalk
    share/zsh/site-functions/_tinytalk
    share/fish/vendor_completions.d/tinytalk.fish
)
for theme in themes/*.toml; do installed+=("share/tinytalk/$theme"); done
for file in "${installed[@]}"; do
    [ -f "$prefix/$file" ] || fail "make install did not write $file"
done
[ -x "$prefix/bin/tinytalk" ] || fail "bin/tinytalk is not executable"

# Nothing of the toolchain is needed at run time.
if ldd "$prefix/bin/tinytalk" | grep -q "libswiftCore"; then fail "the binary links the Swift runtime dynamically"; fi

# The loader's share of resident memory stays small (Benchmarks/README.md): relative relocations
# packed, and no symbol table of the program's own to search.
if command -v readelf > /dev/null; then
    readelf -S -W "$prefix/bin/tinytalk" | grep -q '\.relr\.dyn' || fail "the binary's relative relocations are not packed"
    symbols=$(readelf --dyn-syms -W "$prefix/bin/tinytalk" | grep -c ' GLOBAL \| WEAK ' || true)
    ((symbols < 2000)) || fail "the binary has $symbols dynamic symbols: it exports its own"
fi

# From another folder, with an empty home and a bare environment.
run() { (cd "$home" && env -i HOME="$home" PATH=/usr/bin:/bin "$prefix/bin/tinytalk" "$@"); }
version=$(run --version)
[ -n "$version" ] || fail "--version printed nothing"
check=$(run config check)
echo "$check" | grep -q "themes:.*gruvbox" || fail "the installed binary does not find its themes: $check"
echo "$check" | grep -q "$prefix/share/tinytalk/themes" || fail "themes not read from the prefix: $check"

# The manual page and every completion script name the subcommands.
for file in share/man/man1/tinytalk.1 share/bash-completion/completions/tinytalk share/zsh/site-functions/_tinytalk share/fish/vendor_completions.d/tinytalk.fish; do
    for word in ask serve history search export config add-bot set-key; do
        grep -q -- "$word" "$prefix/$file" || fail "$file does not mention $word"
    done
done
grep -q '^\.Dt TINYTALK 1' "$prefix/share/man/man1/tinytalk.1" || fail "tinytalk.1 is not a section 1 manual page"

make uninstall PREFIX="$prefix" >>"$home/make.log" 2>&1 || fail "make uninstall"
left=$(find "$prefix" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -d "$prefix/share/tinytalk" ] || fail "make uninstall left share/tinytalk"

echo "install-test: make install and uninstall into $prefix: OK (tinytalk $version)"
