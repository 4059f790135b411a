#!/bin/sh
# Writes the pin maps and node-memory pictures conform draws of every fixture profile (`run` on its fixture,
# every layer) and of every profile's design (`lint`) into Tests/Golden/pictures/<profile>-run and -lint.
# GoldenPicturesTests holds the pipeline to them; a change meant to alter a picture regenerates them and the
# diff shows what it changed:
#
#     scripts/golden-pictures.sh .build/debug/conform Tests/Golden/pictures
set -eu
conform=${1:?usage: golden-pictures.sh CONFORM OUT}
out=${2:?usage: golden-pictures.sh CONFORM OUT}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
for file in checks/*.yaml; do
    profile=$(basename "$file" .yaml)
    for kind in run lint; do
        rm -rf "$work/$kind" "$out/$profile-$kind"
        # Exit 1 (the design's defects) and 3 (a layer the fixture cannot give, the lab's cluster) still draw.
        rc=0
        if [ "$kind" = run ]; then
            "$conform" run --profile "$profile" --fixture "fixtures/$profile" --layers host,hypervisor,cluster,bench \
                --format markdown --out "$work/$kind" >/dev/null 2>&1 || rc=$?
        else
            "$conform" lint --profile "$profile" --format markdown --out "$work/$kind" >/dev/null 2>&1 || rc=$?
        fi
        if [ "$rc" -eq 2 ] || [ "$rc" -gt 3 ]; then
            echo "golden-pictures.sh: $kind of $profile exited $rc" >&2
            exit 1
        fi
        mkdir -p "$out/$profile-$kind"
        for picture in "$work/$kind"/pinmap-*.svg "$work/$kind"/memory-*.svg; do
            [ -e "$picture" ] || continue
            xmllint --noout "$picture"
            cp "$picture" "$out/$profile-$kind/"
        done
    done
done
