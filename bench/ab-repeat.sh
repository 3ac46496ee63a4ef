#!/usr/bin/env bash
# bench/ab-kernel.ts in several processes, the two sessions created in both orders (--swap every
# other process): prints each process's median B / A and their geometric mean. B / A above 1
# means this checkout's build/kernel.wasm (A) is faster.
# Usage: bench/ab-repeat.sh <other kernel.wasm> [processes, default 4] [rounds each, default 5]
set -euo pipefail
other=${1:?usage: bench/ab-repeat.sh <other kernel.wasm> [processes] [rounds]}
n=${2:-4}
rounds=${3:-5}
cd "$(dirname "$0")/.."
ratios=()
for ((i = 0; i < n; i++)); do
  swap=()
  if ((i % 2 == 1)); then swap=(--swap); fi
  r=$(node bin/margincall-dev.mjs bench/ab-kernel.ts --other "$other" --rounds "$rounds" --json "${swap[@]}" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).medianRatioBOverA))')
  ratios+=("$r")
  echo "process $((i + 1))${swap[*]:+ (swapped)}: B / A $r"
done
node -e 'const r=process.argv.slice(1).map(Number);console.log("geometric mean B / A: "+Math.exp(r.reduce((s,x)=>s+Math.log(x),0)/r.length).toFixed(4))' "${ratios[@]}"
