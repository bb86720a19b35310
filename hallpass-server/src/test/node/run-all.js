// Runs sdk-scenario.js once for each supertokens-node release of package.json, one after another,
// each in its own process (each release keeps its own global state) with a time limit. Exits
// non-zero if any run fails; prints every run's output.
//
//   HALLPASS_URL=http://127.0.0.1:3567 HALLPASS_API_KEY=... node run-all.js
"use strict";

const { spawnSync } = require("node:child_process");
const path = require("node:path");

const releases = Object.keys(require("./package.json").dependencies).filter((d) => /^sn\d+$/.test(d));
const TIME_LIMIT_MS = 120_000;

let failed = [];
for (const sdk of releases) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(__dirname, "sdk-scenario.js")], {
    env: { ...process.env, SDK: sdk },
    encoding: "utf8",
    timeout: TIME_LIMIT_MS,
  });
  process.stdout.write(r.stdout || "");
  process.stdout.write(r.stderr || "");
  const ms = Date.now() - started;
  if (r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
    console.log(`${sdk}: FAILED (${why}) in ${ms} ms`);
    failed.push(sdk);
  } else {
    console.log(`${sdk}: passed in ${ms} ms`);
  }
}
if (failed.length > 0) {
  console.log(`releases failed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`all ${releases.length} releases passed: ${releases.join(", ")}`);
