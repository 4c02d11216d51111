#!/usr/bin/env bash
# Regenerates samples/ from the simulator. Same seeds, same bytes.
# The committed samples were made by the simulator before its severity
# recalibration (issue 18; commit dd5170c). They are fixtures of many tests
# and were kept: today's simulator makes other files from these settings
# (comparable studies now come from MG 0.5 and LEMS 0.75; docs/simulation.md).
# usage: scripts/make_samples.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/nmjscope
rm -rf samples/normal samples/mg samples/lems samples/mg_exhaustion samples/variants
$bin simulate --study samples/normal --condition normal --seed 101
$bin simulate --study samples/mg --condition mg --severity 0.9 --seed 202
$bin simulate --study samples/lems --condition lems --severity 0.85 --seed 303
$bin simulate --study samples/mg_exhaustion --series exhaustion --condition mg --severity 0.6 --seed 505
mkdir -p samples/variants
$bin simulate --condition mg --severity 0.9 --seed 404 --protocol rns --variant semicolon -o samples/variants/mg_rns_semicolon_decimal_comma.csv
$bin simulate --condition lems --severity 0.85 --seed 405 --protocol exercise --variant microvolts -o samples/variants/lems_exercise_microvolts.csv
$bin simulate --condition normal --seed 406 --protocol hfrns --rate 20 --variant seconds -o samples/variants/normal_hfrns_20hz_seconds.csv
$bin simulate --condition normal --seed 407 --protocol rns --variant long -o samples/variants/normal_rns_long_layout.csv
# The folders are fixtures, not sets: no manifest (src/samples.rs embeds
# exactly the files here; embedded_samples_are_the_samples_folder checks it,
# so a new file is added there too).
rm -f samples/*/.nmjscope-set
