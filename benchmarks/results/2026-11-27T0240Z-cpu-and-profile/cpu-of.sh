#!/bin/bash
# prints CPU seconds used so far by all postgres processes (incl. reaped children of the postmaster)
tck=$(getconf CLK_TCK)
tot=0
for p in $(pgrep -u postgres); do
  read -r -a f < /proc/$p/stat 2>/dev/null || continue
  # fields after comm: index 13=utime 14=stime 15=cutime 16=cstime (0-based, assuming no spaces in comm)
  tot=$((tot + f[13] + f[14] + f[15] + f[16]))
done
awk -v t=$tot -v h=$tck 'BEGIN {printf "%.2f\n", t/h}'
