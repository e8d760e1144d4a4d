#!/usr/bin/env bash
# The localization study of docs/vit/localization.md: PA and mIoU (docs/methods.md §4.5) of every ViT method on the
# committed tiny ViT (test/fixtures/vit/trained) over 200 synthetic test images with masks (seed 2027; the fixture was
# trained on other images), 95% bootstrap intervals, the paired tests of DIX3 against rollout, GAE and T-Attr, and
# reference maps that need no model; a replication on 200 more images (seed 2028).
# Run from the repository root after `npm install`; writes everything under $OUT (default vit-localization/).
# One core, about 7 minutes here (wasm, 1 thread, the machine shared with other work).
set -euo pipefail
OUT=${OUT:-vit-localization}
MODEL=test/fixtures/vit/trained
export DIXW_HOME="$OUT"          # the workbench database: $OUT/workbench.db
dixw() { node bin/dixw.js "$@"; }
job() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).jobId))'; }
stats() { node --import tsx scripts/vit-localization-stats.ts --db "$OUT/workbench.db" "$@"; }
mkdir -p "$OUT/tables" "$OUT/figures"

dixw dataset synth --out "$OUT/data/test" --n 200 --size 32 --classes 4 --seed 2027
dixw dataset synth --out "$OUT/data/test2" --n 200 --size 32 --classes 4 --seed 2028

# Every method at its defaults (Grad-CAM: the last block's input, blocks.2, where the patch tokens still reach the
# [CLS] token through the last attention), then Grad-CAM at the last block's output (blocks.3), its default until this
# study found its maps blank there.
M=$(dixw metrics --model $MODEL --data "$OUT/data/test" --methods dix3,dix2,dix1,rollout,gae,tattr,gradcam,ig \
  --metrics pa,miou --seed 0 --json | job)
G=$(dixw metrics --model $MODEL --data "$OUT/data/test" --methods gradcam --layers blocks.3 --metrics pa,miou --seed 0 --json | job)
dixw export table --job $M --format markdown --out "$OUT/tables/localization.md"
dixw export table --job $M --format csv --out "$OUT/tables/localization.csv"
dixw export table --job $G --format markdown --out "$OUT/tables/localization-gradcam-blocks3.md"
stats --job $M --data "$OUT/data/test" > "$OUT/tables/localization-paired.md"

# Replication on other images: the four attention methods only.
R=$(dixw metrics --model $MODEL --data "$OUT/data/test2" --methods dix3,rollout,gae,tattr --metrics pa,miou --seed 0 --json | job)
dixw export table --job $R --format markdown --out "$OUT/tables/localization-replication.md"
stats --job $R --data "$OUT/data/test2" > "$OUT/tables/localization-replication-paired.md"

# Maps over their images, one per class (the maps the metrics job stored).
dixw export figure --job $M --kind comparison --methods rollout,gae,tattr,dix3 --opacity 0.6 --format png --dpi 200 \
  --out "$OUT/figures/localization-maps.png"
