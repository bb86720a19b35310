#!/usr/bin/env python3
"""Interleaved A/B of HallpassWorker processes: ab.py SECONDS ROUNDS THREADS OPS... -- name=jar:signing ..."""
import subprocess, sys, os, statistics
secs, rounds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rest = sys.argv[4:]
sep = rest.index('--')
ops, sides = rest[:sep], rest[sep+1:]
env = dict(os.environ, HP_ORIG_JDBC_URL=os.environ.get('HP_ORIG_JDBC_URL', 'jdbc:mariadb://127.0.0.1:3306/hp_orig?user=root'))
procs = {}
for s in sides:
    name, spec = s.split('=')
    jar, signing = spec.split(':')
    p = subprocess.Popen(['java', '-cp', jar, 'dev.hallpass.benchmarks.HallpassWorker', signing], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    while True:
        line = p.stdout.readline()
        if not line: raise SystemExit(name + ' died')
        if line.strip() == 'ready': break
    procs[name] = p
res = {}
for r in range(rounds + 1):
    for op in ops:
        for name, p in procs.items():
            p.stdin.write(f'run {op} {secs} {threads}\n'); p.stdin.flush()
            while True:
                line = p.stdout.readline().split()
                if line and line[0] == 'result': break
            rate = int(line[2]) / (int(line[3]) / 1e9)
            if r > 0: res.setdefault((op, name), []).append(rate)
            print(f'round {r} {op:10} {name:10} {rate:10.1f}', flush=True)
for p in procs.values():
    p.stdin.write('quit\n'); p.stdin.flush()
print('medians:')
for (op, name), v in sorted(res.items()):
    print(f'  {op:10} {name:10} {statistics.median(v):10.1f}  ({min(v):.0f}-{max(v):.0f})')
