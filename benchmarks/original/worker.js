// In-process side of the comparison: the original library called directly, no HTTP.
//
// Started by OriginalComparison (hallpass-benchmarks), which speaks the same line protocol to
// HallpassWorker, so that both sides run the same loops in interleaved rounds:
//   stdin  "run OP SECONDS THREADS"   OP: create | verify | refresh (THREADS is ignored here:
//                                     one node process is one thread; run several processes)
//   stdout "ready"                    once the library is initialised and the sessions exist
//          "result OP COUNT NANOS"    after each run
//   stdin  "quit"
// A run calls the operation back to back (one at a time, awaiting each) until SECONDS have
// passed, reading the clock after every call (a database call can take milliseconds), exactly
// like HallpassWorker.
"use strict";

const readline = require("readline");
const st = require("supertokens-node-mysql-ref-jwt");
const { USER_ID, JWT_PAYLOAD, SESSION_DATA, libraryConfig } = require("./common");

// Distinct sessions verify cycles through (as Hallpass's side does): nothing is warm by accident.
const TOKEN_POOL = 256;

async function main() {
  await st.init(libraryConfig());
  const pool = [];
  for (let i = 0; i < TOKEN_POOL; i++) {
    const s = await st.createNewSession(USER_ID, JWT_PAYLOAD, SESSION_DATA);
    pool.push({ accessToken: s.accessToken.value, antiCsrfToken: s.antiCsrfToken });
  }
  // This process's own session for refresh: each refresh presents the token the last one gave.
  let refreshToken = (await st.createNewSession(USER_ID, JWT_PAYLOAD, SESSION_DATA)).refreshToken
    .value;
  let cursor = 0;

  const ops = {
    create: () => st.createNewSession(USER_ID, JWT_PAYLOAD, SESSION_DATA),
    verify: () => {
      const t = pool[cursor];
      cursor = (cursor + 1) % TOKEN_POOL;
      return st.getSession(t.accessToken, t.antiCsrfToken);
    },
    refresh: async () => {
      const r = await st.refreshSession(refreshToken);
      refreshToken = r.newRefreshToken.value;
      return r;
    },
  };

  // After a refresh run: the run's first token, presented again, must be refused as theft once
  // the chain moved on by two generations (the child promoted). Proves that the loop chained:
  // re-presenting one parent token would be answered every time, writing nothing. The session is
  // then revoked; the next run starts a new one.
  async function checkChainAdvanced(first) {
    try {
      await st.refreshSession(first);
    } catch (e) {
      if (st.Error.isErrorFromAuth(e) && e.errType === st.Error.UNAUTHORISED_AND_TOKEN_THEFT_DETECTED) {
        refreshToken = (await st.createNewSession(USER_ID, JWT_PAYLOAD, SESSION_DATA)).refreshToken.value;
        return;
      }
      throw e;
    }
    throw new Error("the refresh loop did not chain: the run's first token still refreshes");
  }

  async function run(op, seconds) {
    const f = ops[op];
    if (f === undefined) throw new Error("unknown operation " + op);
    const first = refreshToken;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(seconds * 1e9));
    let count = 0;
    for (;;) {
      await f();
      count++;
      if (process.hrtime.bigint() >= end) break;
    }
    const nanos = process.hrtime.bigint() - start;
    if (op === "refresh" && count >= 2) await checkChainAdvanced(first);
    return { count, nanos };
  }

  console.log("ready");
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [cmd, op, seconds] = line.trim().split(/\s+/);
    if (cmd === "quit") break;
    if (cmd !== "run") throw new Error("unknown command " + cmd);
    const r = await run(op, Number(seconds));
    console.log(`result ${op} ${r.count} ${r.nanos}`);
  }
  process.exit(0);
}

main().catch((e) => {
  // The library's errors carry no tokens; print the type and message only.
  console.error("worker failed: " + (e && (e.errType || e.name)) + ": " + (e && e.err ? e.err.message : e && e.message));
  process.exit(1);
});
