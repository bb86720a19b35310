#!/bin/bash
# cpu3.sh SIGNING OP THREADS: per-operation CPU after a warm-up (java process, mariadbd, whole machine)
export HP_ORIG_JDBC_URL='jdbc:mariadb://127.0.0.1:3306/hp_orig?user=root'
f=/tmp/wk3.$$; mkfifo $f
java -cp ${JAR:-hallpass-benchmarks/target/benchmarks.jar} dev.hallpass.benchmarks.HallpassWorker $1 < $f > $f.out 2>/dev/null &
jp=$!
exec 3>$f
until grep -q ready $f.out; do sleep 0.2; done
echo "run $2 ${WARM:-15} $3" >&3; until grep -q "^result" $f.out; do sleep 0.2; done
mp=$(pgrep -x mariadbd)
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
b0=$(busy); jc0=$(awk '{print $14+$15}' /proc/$jp/stat); mc0=$(awk '{print $14+$15}' /proc/$mp/stat)
echo "run $2 10 $3" >&3; until [ $(grep -c "^result" $f.out) -ge 2 ]; do sleep 0.2; done
b1=$(busy); jc1=$(awk '{print $14+$15}' /proc/$jp/stat); mc1=$(awk '{print $14+$15}' /proc/$mp/stat)
echo quit >&3; exec 3>&-; wait $jp
cnt=$(grep "^result" $f.out | tail -1 | awk '{print $3}')
awk -v n=$cnt -v j=$((jc1-jc0)) -v m=$((mc1-mc0)) -v b=$((b1-b0)) -v s="$1 $2 x$3" 'BEGIN {printf "%-22s %6.0f ops/s  CPU ms/op: java %.3f  mariadb %.3f  machine %.3f (busy %.0f%% of 2 cores)\n", s, n/10, j*10/n, m*10/n, b*10/n, b/20}'
rm -f $f $f.out
