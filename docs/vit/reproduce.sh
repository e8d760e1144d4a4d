#!/usr/bin/env bash
# The ViT figures of docs/vit/README.md: maps of the committed tiny ViT (test/fixtures/vit/trained: vit-tiny at width
# 0.5, trained on 8000 synthetic images, 93.6% validation accuracy) on the demo's test images, and its sanity tests.
# Run from the repository root after `npm install`; writes everything under $OUT (default vit-figures/).
set -euo pipefail
OUT=${OUT:-vit-figures}
MODEL=test/fixtures/vit/trained
export DIXW_HOME="$OUT"          # the workbench database: $OUT/workbench.db
dixw() { node bin/dixw.js "$@"; }
job() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).jobId))'; }
mkdir -p "$OUT/figures" "$OUT/tables"

# The demo's test set (40 images, seed 2) and its 64-image pair-training set (seed 11) for data randomization.
dixw dataset synth --out "$OUT/data/test" --n 40 --size 32 --classes 4 --seed 2
dixw dataset synth --out "$OUT/data/pair-train" --n 64 --size 32 --classes 4 --seed 11

# Maps: one test image per class, every ViT method of the figure.
E=$(dixw explain --model $MODEL --data "$OUT/data/test" --methods rollout,gae,tattr,dix2,dix3 --per-class 1 --json | job)
for f in pdf png; do
  dixw export figure --job $E --kind comparison --methods rollout,gae,tattr,dix2,dix3 --format $f --dpi 200 --out "$OUT/figures/vit-maps.$f"
done

# Cascading randomization (head, then each block's MLP and attention linears from the top, patch embedding last) and
# data randomization (two tiny ViTs trained in the job on true and on permuted labels, each to 95% training accuracy).
C=$(dixw sanity cascading --model $MODEL --data "$OUT/data/test" --method dix3,rollout,gae --per-class 2 --seed 1 --keep-maps 2 --json | job)
D=$(dixw sanity data --train vit-tiny --epochs 150 --random-epochs 300 --width 0.5 --lr 3e-3 --batch-size 16 --train-data "$OUT/data/pair-train" \
  --data "$OUT/data/test" --method dix3,rollout,gae --per-class 2 --seed 1 --json | job)
for f in pdf png; do
  dixw export figure --job $C --kind cascading --format $f --dpi 200 --out "$OUT/figures/vit-cascading.$f"
  dixw export figure --job $C --kind map-strip --format $f --dpi 200 --out "$OUT/figures/vit-cascading-maps.$f"
  dixw export figure --job $D --kind data-randomization --format $f --dpi 200 --out "$OUT/figures/vit-data-randomization.$f"
done
dixw export table --job $C --format markdown --out "$OUT/tables/vit-cascading.md"
dixw export table --job $D --format markdown --out "$OUT/tables/vit-data-randomization.md"
