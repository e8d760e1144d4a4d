#!/usr/bin/env bash
# The three sanity tests on Fashion-MNIST (Debian's dataset-fashion-mnist), with a VGG-style network trained in the
# workbench. Run from the repository root after `npm install`; writes everything under $OUT (default fm-sanity/).
set -euo pipefail
OUT=${OUT:-fm-sanity}
FM=/usr/share/datasets/fashion-mnist
export DIXW_HOME="$OUT"          # the workbench database: $OUT/workbench.db
dixw() { node bin/dixw.js "$@"; }
mkdir -p "$OUT/figures" "$OUT/tables"

# Data: 3000 training images, 200 test images, and the first 200 training images for the label-permutation pair.
dixw dataset import-idx --images $FM/train-images-idx3-ubyte.gz --labels $FM/train-labels-idx1-ubyte.gz --out "$OUT/data/train" --limit 3000 --class-names fashion-mnist
dixw dataset import-idx --images $FM/t10k-images-idx3-ubyte.gz --labels $FM/t10k-labels-idx1-ubyte.gz --out "$OUT/data/test" --limit 200 --class-names fashion-mnist
dixw dataset import-idx --images $FM/train-images-idx3-ubyte.gz --labels $FM/train-labels-idx1-ubyte.gz --out "$OUT/data/pair-train" --limit 200 --class-names fashion-mnist

# The trained model: VGG-11 at a quarter of the published width, 28x28 images resized to 32x32.
dixw train --data "$OUT/data/train" --arch vgg11 --input 32x32x1 --width 0.25 --epochs 6 --seed 1 --out "$OUT/vgg11"

# Cascading and independent randomization: DIX3, Grad-CAM and IG on 2 test images per class (20 images).
dixw sanity cascading --model "$OUT/vgg11" --data "$OUT/data/test" --method dix3,gradcam,ig --per-class 2 --seed 1 --keep-maps 2 --json > "$OUT/tables/cascading.json"
dixw sanity independent --model "$OUT/vgg11" --data "$OUT/data/test" --method dix3,gradcam,ig --per-class 2 --seed 1 --json > "$OUT/tables/independent.json"
# Data randomization: two small VGG-like CNNs (conv-conv-pool blocks, no dropout) trained in the job on the 200-image
# set, true labels and a seeded permutation, each until 95% training accuracy. (VGG-11 at width 0.25, whose dense
# layers use dropout 0.5, stayed at chance on permuted labels after 150 epochs; the job then fails with that message.)
dixw sanity data --train small-cnn --train-data "$OUT/data/pair-train" --epochs 100 --random-epochs 300 --data "$OUT/data/test" \
  --method dix3,gradcam,ig --per-class 2 --seed 1 --json > "$OUT/tables/data.json"

# Figures (the paper's Fig. 4-6) and tables, from the stored jobs 2-4 (job 1 trained the model).
for f in pdf png; do
  dixw export figure --job 2 --kind cascading --format $f --dpi 200 --out "$OUT/figures/cascading.$f"
  dixw export figure --job 3 --kind independent --format $f --dpi 200 --out "$OUT/figures/independent.$f"
  dixw export figure --job 4 --kind data-randomization --format $f --dpi 200 --out "$OUT/figures/data-randomization.$f"
done
dixw export figure --job 1 --kind training --format png --dpi 200 --out "$OUT/figures/training.png"
for f in pdf png; do dixw export figure --job 2 --kind map-strip --size 6.9in --format $f --dpi 200 --out "$OUT/figures/cascading-maps.$f"; done
for j in 2 3 4; do dixw export table --job $j --format markdown --out "$OUT/tables/job$j.md"; done

# Every method against every perturbation metric (the paper's Table 1 shape) and the DIX ablation (Table 5 shape), on
# 5 test images per class (50 images); jobs 5 and 6. The ablation reuses the stored maps of job 5's configurations.
dixw metrics --model "$OUT/vgg11" --data "$OUT/data/test" \
  --methods dix3,dix2,dix1,ig,gradcam,gradcam++,xgradcam,layercam,ablationcam,liftcam,fullgrad,smoothgrad,guided-ig,blur-ig \
  --metrics neg,pos,ins,del,adp,pic,sic,aic --per-class 5 --seed 1 > "$OUT/tables/metrics.txt"
dixw ablate --model "$OUT/vgg11" --data "$OUT/data/test" --per-class 5 --seed 1 --steps 10,20 --baselines channel-min,zero > "$OUT/tables/ablation.txt"
for j in 5 6; do
  dixw export table --job $j --format markdown --out "$OUT/tables/job$j.md"
  dixw export table --job $j --format latex --out "$OUT/tables/job$j.tex"
done
dixw export figure --job 5 --kind curves --format png --dpi 150 --out "$OUT/figures/metrics.png"   # metrics-<metric>.png
# The qualitative comparison (the paper's Fig. 1-3) from job 5's stored maps: one image per class, input first; a
# width alone (6.9in, the page width) lets the figure take the height its 10 rows need.
for f in pdf png; do
  dixw export figure --job 5 --kind comparison --methods dix3,ig,gradcam,gradcam++,layercam,fullgrad,smoothgrad,guided-ig \
    --rows 10 --size 6.9in --format $f --dpi 200 --out "$OUT/figures/comparison.$f"
done

# With DOCS=docs/fashion-mnist, the figures and tables shown there are copied over.
if [ -n "${DOCS:-}" ]; then
  for f in cascading independent data-randomization; do cp "$OUT/figures/$f.pdf" "$OUT/figures/$f.png" "$DOCS/"; done
  cp "$OUT/figures/cascading-maps.png" "$OUT/figures/cascading-maps.pdf" "$OUT/figures/training.png" "$DOCS/"
  cp "$OUT/figures/comparison.png" "$OUT/figures/comparison.pdf" "$OUT/figures/metrics-sic.png" "$OUT/figures/metrics-pos.png" "$DOCS/"
  cp "$OUT/tables/job2.md" "$DOCS/cascading.md"; cp "$OUT/tables/job3.md" "$DOCS/independent.md"; cp "$OUT/tables/job4.md" "$DOCS/data-randomization.md"
  cp "$OUT/tables/job5.md" "$DOCS/metrics.md"; cp "$OUT/tables/job5.tex" "$DOCS/metrics.tex"
  cp "$OUT/tables/job6.md" "$DOCS/ablation.md"; cp "$OUT/tables/job6.tex" "$DOCS/ablation.tex"
fi
