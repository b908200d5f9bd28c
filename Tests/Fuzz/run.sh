#!/usr/bin/env bash
# Builds each libFuzzer harness Tests/Fuzz/<Name>.swift together with the CardProtocols sources into
# one module and runs it; exits non-zero if any harness fails to build or finds a crash, hang or
# oversized allocation.
#
#   Tests/Fuzz/run.sh                  # every Tests/Fuzz/*Fuzz.swift
#   Tests/Fuzz/run.sh NDEFFuzz TLVFuzz # only these
#   FUZZ_RUNS=1000000 Tests/Fuzz/run.sh
#
# Seeds come from Tests/Fuzz/corpus/<Name>/ (raw files) and Tests/Fuzz/corpus/<Name>.hex (one input
# per line as hex, '#' comments). Work files, the grown corpus and crash artifacts go to .build-fuzz/.
# A crash is reproduced with: SWIFT_BACKTRACE=enable=no .build-fuzz/<Name> .build-fuzz/artifacts/<Name>-crash-…
set -uo pipefail

cd "$(dirname "$0")/../.."
runs=${FUZZ_RUNS:-200000}
max_len=${FUZZ_MAX_LEN:-4096}
out=.build-fuzz
mkdir -p "$out/artifacts"

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for file in Tests/Fuzz/*Fuzz.swift; do
        names+=("$(basename "$file" .swift)")
    done
fi

mapfile -t sources < <(find Sources/CardProtocols -name '*.swift' | sort)

# Writes each hex line of $1 as one raw file in directory $2, named after its line number.
seed_from_hex() {
    local hex_file=$1 dir=$2 line number=0 digits
    while IFS= read -r line || [ -n "$line" ]; do
        number=$((number + 1))
        line=${line%%#*}
        digits=$(printf '%s' "$line" | tr -d ' \t\r')
        [ -z "$digits" ] && continue
        printf '%s' "$digits" | xxd -r -p > "$dir/seed-$number"
    done < "$hex_file"
}

failed=0
summary=()
for name in "${names[@]}"; do
    harness=Tests/Fuzz/$name.swift
    if [ ! -f "$harness" ]; then
        summary+=("$name: FAILED, no harness $harness")
        failed=1
        continue
    fi
    corpus=$out/corpus/$name
    mkdir -p "$corpus"
    [ -d "Tests/Fuzz/corpus/$name" ] && cp -f "Tests/Fuzz/corpus/$name"/* "$corpus/" 2>/dev/null
    [ -f "Tests/Fuzz/corpus/$name.hex" ] && seed_from_hex "Tests/Fuzz/corpus/$name.hex" "$corpus"

    echo "== $name: building"
    if ! swiftc -O -sanitize=fuzzer,address -parse-as-library -use-ld=lld -module-name "$name" \
        "${sources[@]}" "$harness" -o "$out/$name" 2> "$out/$name.build.log"; then
        cat "$out/$name.build.log" >&2
        summary+=("$name: FAILED to build, see $out/$name.build.log")
        failed=1
        continue
    fi

    echo "== $name: $runs runs"
    start=$SECONDS
    SWIFT_BACKTRACE=enable=no "$out/$name" -runs="$runs" -max_len="$max_len" -timeout=10 -malloc_limit_mb=256 \
        -artifact_prefix="$out/artifacts/$name-" "$corpus/" > "$out/$name.log" 2>&1
    status=$?
    elapsed=$((SECONDS - start))
    if [ $status -eq 0 ]; then
        executed=$(grep -oE 'Done [0-9]+ runs' "$out/$name.log" | grep -oE '[0-9]+' | tail -1)
        summary+=("$name: ok, ${executed:-?} runs in ${elapsed}s, corpus $(ls "$corpus" | wc -l) inputs")
    else
        tail -n 40 "$out/$name.log" >&2
        artifact=$(grep -oE "$out/artifacts/$name-[a-z-]+[0-9a-f]+" "$out/$name.log" | tail -1)
        summary+=("$name: FAILED (exit $status) after ${elapsed}s, ${artifact:-see $out/$name.log}")
        failed=1
    fi
done

echo
printf '%s\n' "${summary[@]}"
exit $failed
