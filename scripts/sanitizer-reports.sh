#!/bin/sh
# Prints the sanitizer reports a test run left in DIR and fails when there is one.
#
# `make test-asan` and `make test-tsan` set log_path=DIR/report, so every sanitized process of the suite writes
# its reports to DIR/report.<pid>: the test bundle, and each conform binary a CLI test starts, whose stderr
# the test captures and would otherwise only show when an assertion fails.
set -u
dir=${1:?usage: sanitizer-reports.sh DIR}
pattern='(ERROR|WARNING): (AddressSanitizer|ThreadSanitizer|LeakSanitizer)|runtime error:'
files=$(grep -lE "$pattern" "$dir"/report.* 2>/dev/null)
for file in "$dir"/report.*; do
    [ -e "$file" ] || continue
    printf '\n==== %s\n' "$file"
    cat "$file"
done
if [ -z "$files" ]; then
    echo "sanitizer: no reports in $dir"
    exit 0
fi
echo
echo "sanitizer: $(grep -chE "$pattern" $files | paste -sd+ | bc) report(s) in $(echo "$files" | wc -l) process(es):"
grep -hE '^SUMMARY: ' $files | sort | uniq -c | sort -rn
exit 1
