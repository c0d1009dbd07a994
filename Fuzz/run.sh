#!/usr/bin/env bash
# Coverage-guided fuzzing of tinytalk's parsers and layout with libFuzzer.
#
#   Fuzz/run.sh TARGET [SECONDS | -runs=N] [libFuzzer flags...]   fuzz one target (default 60 s)
#   Fuzz/run.sh all -runs=10000000                                every target, one after another
#   Fuzz/run.sh TARGET FILE...                                     replay inputs (a crash, a seed)
#   Fuzz/run.sh build [TARGET...]                                  only compile
#   Fuzz/run.sh scaling                                            markdown's linear-time check, over its corpus
#   Fuzz/run.sh seeds                                              rewrite Fuzz/corpus/*/ from the test fixtures
#   Fuzz/run.sh list                                               the targets and what they fuzz
#   Fuzz/run.sh totals                                             executions with no crash against the code as it is
#   Fuzz/run.sh until N TARGET...                                  fuzz each target, a million at a time, until its total is N
#
# Targets: sse json markdown wrap keys config store rows (see Fuzz/Targets/*.swift for each oracle).
#
# Each target is compiled with `swiftc -sanitize=fuzzer[,address] -parse-as-library -O`
# (AddressSanitizer where unsafe buffers or C code are under test; see sanitizers_for)
# together with exactly the project files it needs (never the ones that import NIO or curses),
# into .build-fuzz/asan or .build-fuzz/plain (ignored by git). Compiles take the shared build
# lock (/tmp/tinytalk-build.lock); fuzzing does not, and runs under `nice -n ${FUZZ_NICE:-19}`,
# one fuzzer at a time. The committed seeds in Fuzz/corpus/TARGET/ are read; what the fuzzer finds goes to
# .build-fuzz/corpus/TARGET/, crashes to .build-fuzz/artifacts/TARGET/, logs to
# .build-fuzz/logs/, and a line per run to Fuzz/results.txt (committed: the record `totals` reads,
# each line naming the code it ran against by a hash of those files' contents).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=.build-fuzz
RESULTS=Fuzz/results.txt
LOCK=${TINYTALK_BUILD_LOCK:-/tmp/tinytalk-build.lock}
SWIFTC=${SWIFTC:-swiftc}
CLANGXX=${CLANGXX:-clang++}
CHECKOUTS=${CHECKOUTS:-.build/checkouts}
TARGETS=(sse json markdown wrap keys config store rows)
# A crash is reported by libFuzzer and ASan; the Swift runtime's own backtracer only slows it.
export SWIFT_BACKTRACE=enable=no

LINKER=()
if command -v ld.lld > /dev/null 2>&1; then LINKER=(-use-ld=lld); fi
SWIFT_FLAGS=(-sanitize=fuzzer,address -parse-as-library -O "${LINKER[@]}")
BUILT=$OUT/asan

# Targets whose code under test is safe Swift on Strings (no unsafe pointers) run without
# AddressSanitizer: Swift's own bounds and overflow checks still trap, at two to three times
# the speed. So does store: the SQLite underneath is the system's, never instrumented, and
# ASan's bookkeeping of GRDB's allocations was most of its time. The parsers that read raw
# buffers (sse, json) and the C++ under config (toml++, built here) keep it.
sanitizers_for() {
    case $1 in
    markdown | wrap | store | rows)
        SWIFT_FLAGS=(-sanitize=fuzzer -parse-as-library -O "${LINKER[@]}")
        BUILT=$OUT/plain
        ;;
    keys)
        # A folder of its own: its TerminalKit library holds the key files too.
        SWIFT_FLAGS=(-sanitize=fuzzer -parse-as-library -O "${LINKER[@]}")
        BUILT=$OUT/plain-keys
        ;;
    *)
        SWIFT_FLAGS=(-sanitize=fuzzer,address -parse-as-library -O "${LINKER[@]}")
        BUILT=$OUT/asan
        ;;
    esac
}
SUPPORT=(Fuzz/Support/FuzzSupport.swift)

API=Sources/TinyTalkAPI
CORE=Sources/TinyTalkCore
KIT=Sources/TerminalKit
UI=Sources/TinyTalkUI
# What SSEParser and DeltaDecoder need, and nothing more.
API_DECODING=("$API/SSEParser.swift" "$API/DeltaDecoder.swift" "$API/JSONScanner.swift" "$API/Citation.swift"
    "$API/TextExcerpt.swift" "$API/Usage.swift" "$API/APIError.swift" "$API/RateLimit.swift")
# TinyTalkAPI as a module for TinyTalkCore's files: every file but the HTTP client's.
mapfile -t API_MODULE < <(grep -L -E '^import (AsyncHTTPClient|NIO)' "$API"/*.swift)
# The parts of TerminalKit text layout uses (not the screen, not the keys), and those key
# decoding adds: named, so a change to drawing or a new file leaves the counts of wrap,
# markdown and keys alone.
KIT_TEXT=()
for name in Color Hyperlinks LineWrapper LineWrapper+Engine Style StyledRun TerminalSafeText TextWidth Theme WrappedLine; do
    KIT_TEXT+=("$KIT/$name.swift")
done
KIT_KEYS=("${KIT_TEXT[@]}" "$KIT/Key.swift" "$KIT/KeyDecoder.swift")
# The Markdown folder imports only TerminalKit: all of it.
MARKDOWN=("$UI"/Markdown/*.swift)
CONFIG=("$CORE/Config.swift" "$CORE/ConfigParser.swift" "$CORE/ConfigParser+Wording.swift" "$CORE/ConfigSourceMap.swift" "$CORE/ConfigEditor.swift"
    "$CORE/ConfigError.swift" "$CORE/BotConfig.swift" "$CORE/VisibleText.swift")
STORE=("$CORE"/Store*.swift "$CORE/Conversation.swift" "$CORE/Message.swift" "$CORE/ConversationExport.swift")
TOMLKIT="$CHECKOUTS/TOMLKit/Sources"
GRDB="$CHECKOUTS/GRDB.swift"

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 2; }

# True when $1 is missing or older than any of the other paths (this script counts: flags live here).
stale() {
    local out=$1
    shift
    [[ -e $out ]] || return 0
    [[ -n $(find "$@" "$0" -newer "$out" -print -quit 2> /dev/null) ]]
}

locked() { flock "$LOCK" "$@"; }

# swift_library NAME FILES... [-- EXTRA FLAGS...]: an instrumented static library and its module.
swift_library() {
    local name=$1
    shift
    local files=() extra=()
    while (($#)); do
        if [[ $1 == -- ]]; then
            shift
            extra=("$@")
            break
        fi
        files+=("$1")
        shift
    done
    local lib=$BUILT/lib/lib$name.a
    mkdir -p "$BUILT/lib"
    printf '%s\n' "${files[@]}" > "$BUILT/lib/$name.files"
    stale "$lib" "${files[@]}" || return 0
    say "compiling $name (${#files[@]} files)"
    mkdir -p "$BUILT/lib" "$BUILT/modules"
    locked "$SWIFTC" "${SWIFT_FLAGS[@]}" -emit-library -static -module-name "$name" \
        -emit-module -emit-module-path "$BUILT/modules/$name.swiftmodule" -I "$BUILT/modules" "${extra[@]}" \
        -o "$lib" "${files[@]}"
}

# A file a fuzzer may take from the project: under Sources/, importing neither NIO nor curses.
usable() { [[ $1 == Sources/* ]] && ! grep -q -E '^import (AsyncHTTPClient|NIO|CNcursesw|ArgumentParser)' "$1"; }

# resolve FLAGS... -- FILES...: prints FILES plus the project files they need. The lists in this
# script are the minimal sets; when the sources move on (a type split into a new file), the
# type checker names what it misses, and the file of the same module folder that declares it
# is added (and said), until everything is found.
resolve() {
    local flags=() files=()
    while [[ $1 != -- ]]; do
        flags+=("$1")
        shift
    done
    shift
    files=("$@")
    local round
    for round in 1 2 3 4 5 6 7 8; do
        local errors
        errors=$(locked "$SWIFTC" -typecheck -parse-as-library "${flags[@]}" "${files[@]}" 2>&1) && break
        local names
        names=$(grep -o -E "cannot find (type )?'[A-Za-z_][A-Za-z0-9_]*' in scope|has no member '[A-Za-z_][A-Za-z0-9_]*'" <<< "$errors" |
            grep -o -E "'[A-Za-z_][A-Za-z0-9_]*'" | tr -d "'" | sort -u)
        local dirs added=0
        dirs=$(for f in "${files[@]}"; do if [[ $f == Sources/* ]]; then dirname "$f"; fi; done | sort -u)
        for name in $names; do
            for dir in $dirs; do
                for candidate in $(grep -l -E "(struct|enum|class|actor|protocol|typealias|func|var|let|case) +$name\b" "$dir"/*.swift 2> /dev/null); do
                    [[ " ${files[*]} " == *" $candidate "* ]] && continue
                    usable "$candidate" || continue
                    say "  + $candidate (declares $name)"
                    files+=("$candidate")
                    added=1
                done
            done
        done
        if ((!added)); then
            say "$errors"
            die "cannot find the files that declare: $(echo $names)"
        fi
    done
    printf '%s\n' "${files[@]}"
}

# swift_fuzzer TARGET FILES... [-- EXTRA FLAGS...]: the fuzzer executable.
swift_fuzzer() {
    local target=$1
    shift
    local files=() extra=()
    while (($#)); do
        if [[ $1 == -- ]]; then
            shift
            extra=("$@")
            break
        fi
        files+=("$1")
        shift
    done
    local bin=$BUILT/bin/$target
    local deps=("${files[@]}")
    for lib in "$BUILT"/lib/*.a; do [[ -e $lib ]] && deps+=("$lib"); done
    # A file added to a module folder since the last build may be one this target needs.
    for dir in $(for f in "${files[@]}"; do [[ $f == Sources/* ]] && dirname "$f"; done | sort -u); do deps+=("$dir"); done
    stale "$bin" "${deps[@]}" || return 0
    local flags=(-I "$BUILT/modules")
    for flag in "${extra[@]}"; do [[ $flag == -l* ]] || flags+=("$flag"); done
    mapfile -t files < <(resolve "${flags[@]}" -- "${files[@]}")
    ((${#files[@]})) || die "could not gather the files of $target (see above)"
    say "compiling fuzzer $target (${#files[@]} files)"
    mkdir -p "$BUILT/bin"
    locked "$SWIFTC" "${SWIFT_FLAGS[@]}" -module-name "Fuzz_$target" -I "$BUILT/modules" -L "$BUILT/lib" "${extra[@]}" \
        -o "$bin" "${files[@]}"
    # The files it was built from, those of the libraries it links included (for `totals`).
    {
        printf '%s\n' "${files[@]}"
        for flag in "${extra[@]}"; do
            if [[ $flag == -l* && -f $BUILT/lib/${flag#-l}.files ]]; then cat "$BUILT/lib/${flag#-l}.files"; fi
        done
    } > "$BUILT/bin/$target.files"
}

build_tomlkit() {
    [[ -d $TOMLKIT ]] || die "no $TOMLKIT: run 'swift package resolve' first"
    local ctoml=$TOMLKIT/CTOML objects=()
    mkdir -p "$BUILT/obj/CTOML"
    for source in "$ctoml"/Sources/*.cpp; do
        local object
        object=$BUILT/obj/CTOML/$(basename "${source%.cpp}" | tr -c 'A-Za-z0-9_\n' '_').o
        objects+=("$object")
        if stale "$object" "$source" "$ctoml"/Sources/*.hpp "$ctoml"/include/CTOML/*.h; then
            say "compiling CTOML $(basename "$source")"
            locked "$CLANGXX" -std=c++17 -O2 -fsanitize=fuzzer-no-link,address -DTOML_EXCEPTIONS=1 \
                -I "$ctoml/include" -c "$source" -o "$object"
        fi
    done
    if stale "$BUILT/lib/libCTOML.a" "${objects[@]}"; then
        mkdir -p "$BUILT/lib"
        rm -f "$BUILT/lib/libCTOML.a"
        ar rcs "$BUILT/lib/libCTOML.a" "${objects[@]}"
    fi
    local swift_files=()
    mapfile -t swift_files < <(find "$TOMLKIT/TOMLKit" -name '*.swift' | sort)
    swift_library TOMLKit "${swift_files[@]}" -- -I "$ctoml/include" -Xcc -fmodule-map-file="$ctoml/include/CTOML/module.modulemap"
}

# GRDB and swift-log are compiled without the fuzzer's instrumentation: what is fuzzed is the
# Store's use of them, and their coverage counters made every input of `store` and `rows`
# slower (libFuzzer scans all of them after each one).
uninstrumented() { SWIFT_FLAGS=(-parse-as-library -O "${LINKER[@]}"); }

build_logging() {
    local SWIFT_FLAGS
    uninstrumented
    local log=$CHECKOUTS/swift-log/Sources/Logging
    [[ -d $log ]] || die "no $log: run 'swift package resolve' first"
    local files=()
    mapfile -t files < <(find "$log" -name '*.swift' | sort)
    swift_library Logging "${files[@]}" -- -suppress-warnings -package-name swift_log
}

build_grdb() {
    local SWIFT_FLAGS
    uninstrumented
    [[ -d $GRDB ]] || die "no $GRDB: run 'swift package resolve' first"
    local files=()
    mapfile -t files < <(find "$GRDB/GRDB" -name '*.swift' | sort)
    swift_library GRDB "${files[@]}" -- -I "$GRDB/Sources/GRDBSQLite" \
        -D SQLITE_ENABLE_FTS5 -D SQLITE_ENABLE_SNAPSHOT -D SQLITE_DISABLE_SNAPSHOT -suppress-warnings
}

build() {
    local target=$1
    sanitizers_for "$target"
    case $target in
    sse) swift_fuzzer sse "${API_DECODING[@]}" "${SUPPORT[@]}" Fuzz/Targets/SSEStream.swift ;;
    json) swift_fuzzer json "${API_DECODING[@]}" "${SUPPORT[@]}" Fuzz/Targets/JSONFields.swift ;;
    wrap) swift_fuzzer wrap "${KIT_TEXT[@]}" "${SUPPORT[@]}" Fuzz/Targets/WrapStream.swift ;;
    markdown)
        swift_library TerminalKit "${KIT_TEXT[@]}"
        # TinyTalkAPI for its trimming.
        swift_library TinyTalkAPI "${API_MODULE[@]}"
        swift_fuzzer markdown "${MARKDOWN[@]}" "${SUPPORT[@]}" Fuzz/Targets/MarkdownStream.swift -- -lTerminalKit -lTinyTalkAPI
        ;;
    keys)
        swift_library TerminalKit "${KIT_KEYS[@]}"
        swift_fuzzer keys "$UI/KeyMap.swift" "$UI/Action.swift" "${SUPPORT[@]}" Fuzz/Targets/KeyText.swift -- -lTerminalKit
        ;;
    config)
        build_tomlkit
        swift_library TinyTalkAPI "${API_MODULE[@]}"
        swift_library SystemIO Sources/SystemIO/*.swift
        swift_fuzzer config "${CONFIG[@]}" "${SUPPORT[@]}" Fuzz/Targets/ConfigText.swift -- \
            -I "$TOMLKIT/CTOML/include" -Xcc -fmodule-map-file="$TOMLKIT/CTOML/include/CTOML/module.modulemap" \
            -lTinyTalkAPI -lSystemIO -lTOMLKit -lCTOML -lstdc++
        ;;
    store | rows)
        build_grdb
        build_logging
        swift_library TinyTalkAPI "${API_MODULE[@]}"
        local harness=Fuzz/Targets/StoreRows.swift
        [[ $target == rows ]] && harness=Fuzz/Targets/StoreDecoding.swift
        swift_fuzzer "$target" "${STORE[@]}" "${SUPPORT[@]}" Fuzz/Support/StoreScratch.swift "$harness" -- \
            -I "$GRDB/Sources/GRDBSQLite" -lTinyTalkAPI -lGRDB -lLogging -lsqlite3
        ;;
    *) die "unknown target '$target' (targets: ${TARGETS[*]})" ;;
    esac
}

# libFuzzer settings per target: input size limit, per-input timeout (ASan builds are slow).
options() {
    case $1 in
    keys) echo "-max_len=256 -timeout=10" ;;
    # Layout bugs show in a kilobyte; the oracles' cost grows with the input (linear time is
    # checked apart, by `scaling`).
    sse | wrap | markdown) echo "-max_len=1024 -timeout=10" ;;
    # TOMLKit's TOMLTable.string(_:) and .keys leak what they allocate with C++ `new` (about
    # 6 KB per parse, once per start in the app); the leak checker would stop at the first.
    config) echo "-max_len=4096 -timeout=20 -detect_leaks=0" ;;
    *) echo "-max_len=4096 -timeout=20" ;;
    esac
}

# The figures of one finished run, from libFuzzer's final stats.
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

# The most executions one process of a target may run: config's TOMLKit leak (about 6 KB a
# parse, several parses an input) reaches libFuzzer's 2 GB limit after some 700,000 inputs,
# so a longer run of it is made of runs of this many, one process each.
chunk_for() {
    case $1 in
    config) echo 400000 ;;
    *) echo 0 ;;
    esac
}

fuzz() {
    local target=$1
    shift
    build "$target"
    # Taken before the run: a source edited while it runs is not what it ran.
    local code
    code=$(code_hash "$target")
    local limit=(-max_total_time=60)
    if (($#)); then
        if [[ $1 =~ ^[0-9]+$ ]]; then
            limit=(-max_total_time="$1")
            shift
        elif [[ $1 == -runs=* ]]; then
            limit=("$1")
            shift
            local runs=${limit[0]#-runs=} chunk
            chunk=$(chunk_for "$target")
            if ((chunk > 0 && runs > chunk)); then
                while ((runs > 0)); do
                    fuzz "$target" -runs=$((runs < chunk ? runs : chunk)) "$@" || return $?
                    runs=$((runs - chunk))
                done
                return 0
            fi
        fi
    fi
    local corpus=$OUT/corpus/$target artifacts=$OUT/artifacts/$target log=$OUT/logs/$target-$(date +%Y%m%d-%H%M%S).log
    mkdir -p "$corpus" "$artifacts" "$OUT/logs" "Fuzz/corpus/$target"
    local dict=()
    [[ -f Fuzz/dict/$target.dict ]] && dict=(-dict="Fuzz/dict/$target.dict")
    local start=$SECONDS status=0
    leak_setting "$target"
    say "fuzzing $target (${limit[*]}); log: $log"
    # shellcheck disable=SC2046
    nice -n "${FUZZ_NICE:-19}" "$BUILT/bin/$target" "${limit[@]}" $(options "$target") "${dict[@]}" -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$@" "$corpus" "Fuzz/corpus/$target" > "$log" 2>&1 || status=$?
    grep -E '^(tally|scaling):' "$log" >&2 || true
    local runs rate units result
    runs=$(stat number_of_executed_units "$log")
    rate=$(stat average_exec_per_sec "$log")
    units=$(find "$corpus" -type f | wc -l)
    if ((status == 0)); then
        result="no crash"
    elif ((status == 72)) && grep -q 'libFuzzer: run interrupted' "$log"; then
        result="no crash (stopped by SIGINT)"  # kill -INT: libFuzzer stops cleanly, with its figures
    else
        result="FAILED (exit $status): $(grep -m1 -E 'ORACLE BROKEN|ERROR: (AddressSanitizer|libFuzzer)|Fatal error|deadly signal|timeout' "$log" | cut -c1-300)"
        local unit
        unit=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        [[ -n $unit ]] && result+="; input saved to $unit"
    fi
    local line
    line=$(printf '%s  %-8s %12s executions  %8s exec/s  %6ss  corpus %5s  code %s  %s' \
        "$(date '+%Y-%m-%d %H:%M')" "$target" "${runs:-?}" "${rate:-?}" "$((SECONDS - start))" "$units" \
        "$code" "$result")
    echo "$line" | tee -a "$RESULTS"
    # A markdown run ends with the scaling check, but not each of `until`'s millions: that checks
    # once, at the end (over a corpus of thousands of inputs the check takes about an hour).
    if [[ $target == markdown && $status == 0 && -z ${FUZZ_NO_SCALING:-} ]]; then scaling; fi
    return "$status"
}

# Linear time: every input of markdown's corpus, tiled small and 8 times larger (see
# Fuzz/Targets/MarkdownStream.swift); prints the worst ratio, keeps inputs over the limit.
scaling() {
    build markdown
    local out=$OUT/artifacts/markdown-scaling
    mkdir -p "$out" "$OUT/corpus/markdown"
    say "scaling check over the markdown corpus"
    FUZZ_MODE=scaling FUZZ_SCALING_OUT=$out nice -n 19 "$BUILT/bin/markdown" -runs=0 -max_len=4096 -timeout=600 -artifact_prefix="$out/" \
        "$OUT/corpus/markdown" Fuzz/corpus/markdown 2>&1 | grep -E '^scaling:' | tee -a "$RESULTS"
}

replay() {
    local target=$1
    shift
    build "$target"
    leak_setting "$target"
    nice -n 19 "$BUILT/bin/$target" "${LEAKS[@]}" "$@"
}

# A target run with -detect_leaks=0 (config's known TOMLKit leak) has LeakSanitizer's check at
# exit off too, in replays and at the end of a run; sets LEAKS to the flag to pass.
leak_setting() {
    LEAKS=()
    if [[ $(options "$1") == *-detect_leaks=0* ]]; then
        LEAKS=(-detect_leaks=0)
        # Once: a long config run calls this for each of its runs.
        [[ ${ASAN_OPTIONS:-} == *detect_leaks=0* ]] || export ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
    fi
}

# Writes the committed seeds from the test fixtures (see Fuzz/Seeds/MakeSeeds.swift).
seeds() {
    local gen=$OUT/seeds
    mkdir -p "$gen"
    # The Markdown fixtures and the TOML texts of the config tests, extracted as Swift source,
    # so Swift itself decodes their escapes and indentation.
    {
        echo "enum MarkdownFixtures {"
        awk '/static let fixtures: \[\(name: String, text: String\)\] = \[/,/^    \]$/' \
            Tests/TinyTalkUITests/Markdown/MarkdownLayoutTests.swift
        echo "}"
        echo "enum ConfigFixtures {"
        echo "    static let texts: [String] = {"
        echo "        var texts: [String] = []"
        awk '
            !inside && /"""[[:space:]]*$/ { inside = 1; n = 0; bad = 0; next }
            inside && /^[[:space:]]*"""/ {
                inside = 0
                if (!bad) {
                    print "        texts.append(\"\"\""
                    for (i = 1; i <= n; i++) print lines[i]
                    match($0, /^[[:space:]]*/)
                    print substr($0, 1, RLENGTH) "\"\"\")"
                }
                next
            }
            inside { lines[++n] = $0; if ($0 ~ /\\\(/) bad = 1 }
        ' Tests/TinyTalkCoreTests/ConfigTests.swift Tests/TinyTalkCoreTests/ConfigEditorTests.swift
        echo "        return texts"
        echo "    }()"
        echo "}"
    } > "$gen/Extracted.swift"
    locked "$SWIFTC" -O -parse-as-library -emit-library -static -module-name TestSupport \
        -emit-module -emit-module-path "$gen/TestSupport.swiftmodule" -o "$gen/libTestSupport.a" Tests/TestSupport/*.swift
    locked "$SWIFTC" -O -parse-as-library -emit-library -static -module-name TinyTalkAPI \
        -emit-module -emit-module-path "$gen/TinyTalkAPI.swiftmodule" -o "$gen/libTinyTalkAPI.a" "${API_MODULE[@]}"
    locked "$SWIFTC" -O -parse-as-library -module-name MakeSeeds -I "$gen" -L "$gen" -lTestSupport -lTinyTalkAPI \
        -o "$gen/make-seeds" Tests/TinyTalkAPITests/StreamFixtures.swift "$gen/Extracted.swift" Fuzz/Seeds/MakeSeeds.swift
    "$gen/make-seeds" Fuzz/corpus
}

# The code a built target runs: a hash of the contents of the project files it was compiled
# from (as .build-fuzz/*/bin/TARGET.files lists them, the libraries' included). Only Sources/
# counts: a change to a harness or to this script leaves the code under test as it was.
code_hash() {
    sanitizers_for "$1"
    local files=$BUILT/bin/$1.files
    [[ -f $files ]] || { echo -; return; }
    grep '^Sources/' "$files" | sort -u | xargs sha256sum | sha256sum | cut -c1-12
}

# Executions of TARGET with no crash against the code as it is now (the runs in results.txt
# whose code hash is the one the current sources give), the number of those runs, and the hash;
# "-" for a target not built.
total_for() {
    local hash
    hash=$(code_hash "$1")
    [[ $hash != - ]] || { echo "- - not built"; return; }
    awk -v target="$1" -v hash="$hash" '
        $3 == target && $0 ~ /no crash/ && $0 ~ ("  code " hash "  ") { total += $4; runs++ }
        END { printf "%d %d %s\n", total, runs, hash }' "$RESULTS"
}

totals() {
    printf '%-9s %14s %6s  %s\n' target executions runs "code (hash of the files under test)"
    for target in "${TARGETS[@]}"; do
        local total runs hash
        read -r total runs hash < <(total_for "$target")
        printf '%-9s %14s %6s  %s\n' "$target" "$total" "$runs" "$hash"
    done
}

# until N TARGET...: runs of a million executions each (a stopped campaign loses at most one),
# until the target's total against the current code reaches N; a crash stops it.
until_total() {
    local goal=$1
    shift
    for target in "$@"; do
        build "$target"
        local total
        while read -r total _ < <(total_for "$target") && ((total < goal)); do
            local next=$((goal - total))
            FUZZ_NO_SCALING=1 fuzz "$target" -runs=$((next < 1000000 ? next : 1000000)) || return $?
        done
        say "$target: $total executions with no crash"
        if [[ $target == markdown ]]; then scaling; fi
    done
}

list() {
    cat << 'EOF'
sse       SSEParser + DeltaDecoder: whole = byte by byte = fuzzer-chosen pieces; = a reference reading of the SSE rules
json      JSONScanner: never traps; agrees with JSONSerialization on choices[0].delta.content and the other fields it reads
markdown  MarkdownLayout: streamed in pieces with settles = render of the whole; no line wider than the width; linear time (scaling)
wrap      TextWidth + LineWrapper: streamed = whole; stable lines never change; no line wider than the width; no text lost
keys      KeyDecoder: nothing pasted is ever a key, pastes as the rules say; KeyPress(parsing:), KeyMap, neutralize
config    Config.parse (TOMLKit/toml++), ConfigSourceMap, ConfigEditor add/remove round trip; the api_key never shown
store     Store: a program of writes (and raw rows), everything read back against a model; search, export
rows      Store's row decoding: one row damaged with values of any storage class; the rest reads back exactly
EOF
}

command=${1:-}
[[ -n $command ]] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
shift
case $command in
list) list ;;
seeds) seeds ;;
scaling) scaling ;;
totals) totals ;;
until)
    [[ ${1:-} =~ ^[0-9]+$ ]] || die "until N TARGET...: N is a number of executions"
    until_total "$@"
    ;;
build)
    (($#)) || set -- "${TARGETS[@]}"
    for target in "$@"; do build "$target"; done
    ;;
all)
    failed=0
    for target in "${TARGETS[@]}"; do fuzz "$target" "$@" || failed=1; done
    exit "$failed"
    ;;
*)
    if (($#)) && [[ -f $1 ]]; then replay "$command" "$@"; else fuzz "$command" "$@"; fi
    ;;
esac
