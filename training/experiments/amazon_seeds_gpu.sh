#!/bin/bash
# (run from the repo root on a CUDA machine: `DATA=<dir holding games/ and beauty/> OUT=<dir> bash training/experiments/amazon_seeds_gpu.sh`)
# GPU run of the SASRec step (training/llmrec_train, same code as `llmrec train`) on Amazon Games and Beauty:
# Games with the Beauty-chosen Amazon config (full softmax, lr 0.0005, patience 10) and with the previous Amazon
# default (2,048 sampled negatives, lr 0.002, patience 5), 3 seeds each; Beauty full softmax 3 seeds (GPU vs CPU check).
set -u
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__, "cuda", torch.cuda.is_available())'
W=/tmp/work; mkdir -p $W/logs
D=${DATA:-$PWD/.gpu/datasets}  # prepared datasets (games/, beauty/) as `llmrec data` writes them
BASE='{"hidden":64,"maxlen":50,"loss":"ce","lr":0.002,"dropout":0.5,"batch":256,"epochs":200,"eval_every":2,"patience":5,"bucket":true,"neg_samples":2048,"neg_power":0.75,"max_seconds":'${MAXS:-400}'}'
cd training
run() { # name dataset overrides
  timeout ${TLIM:-520} python3 -m experiments.sasrec_sweep --dataset-dir $D/$2 --work $W/$2 --out $W/$2/$1.md --base "$BASE" --run "$1=$3" > $W/logs/$1.log 2>&1 &
}
for s in 1 2 3; do
  run games_full_lr05_seed$s games '{"seed":'$s',"lr":0.0005,"patience":10,"neg_samples":0,"side":"title-words"}'
  run games_old_seed$s games '{"seed":'$s',"side":"title-words"}'
  run beauty_full_lr05_seed$s beauty '{"seed":'$s',"lr":0.0005,"patience":10,"neg_samples":0,"side":"attributes"}'
done
sleep 45; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader; tail -n 3 $W/logs/*.log | cut -c1-300
wait
for f in $W/logs/*.log; do echo "== $f"; grep -v '"progress"' $f | tail -n 4 | cut -c1-400; done
cd $W && find . -name '*.md' -o -name 'done.json' -o -name 'metrics.json' -o -name '*.log' | tar czf $OUT/results.tgz -T -
find games -path '*games_full*' -name sasrec.pt | tar czf $OUT/games-full-ckpt.tgz -T -
ls -la $OUT
for f in $W/*/*.md; do tail -n 2 $f; done
