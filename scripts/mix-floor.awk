# The cycle overhead the layer mix alone sets, from `mcusim compare --flat` of a layer-wise report (a) and a
# patch-based one (b): every patch-stage layer's layer-wise cycles scaled by its own MAC ratio (what a patch executor
# with no overhead of its own would measure), over the layer-wise total. Prints "+19.4%", or "-" without figures;
# with -v fraction=1 the plain fraction (0.194), or nothing.
# Used by scripts/paper.sh and scripts/demo.sh (docs/paper.md, "Cycles").
$1 ~ /^layers\.[0-9]+\./ {
  split($1, key, ".")
  field[key[2] "." substr($1, length(key[1] key[2]) + 3)] = $2
  if (key[2] + 1 > n) n = key[2] + 1
}
$1 == "figures.cycles.a" { total = $2 }
END {
  for (i = 0; i < n; i++)
    if (field[i ".patch_stage"] == "true" && field[i ".a.macs"] > 0)
      extra += field[i ".a.cycles"] * (field[i ".b.macs"] / field[i ".a.macs"] - 1)
  if (fraction) {
    if (total > 0) printf "%.6f\n", extra / total
  } else if (total > 0) printf "%+.1f%%", 100 * extra / total
  else print "-"
}
