// Drives the example's page in headless Chromium (Debian's /usr/bin/chromium, through
// playwright-core) with the real supertokens-website SDK, and reports what it observed;
// ExampleBrowserTest starts it and makes the assertions.
//
//   node src/test/js/example-e2e.mjs <baseUrl> <accessTokenValiditySeconds>
//
// Protocol on stdout: "LOG <text>", "ADVANCE <seconds>" (the test moves the server's clock, then
// answers "OK" on stdin), and finally "RESULT <json>". No token leaves this script.
import { chromium } from "playwright-core";
import readline from "node:readline";

const [baseUrl, validitySeconds] = process.argv.slice(2);
const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const TIMEOUT = 15_000;

async function advanceServerClock(seconds) {
  console.log("ADVANCE " + seconds);
  const answer = await stdin.next();
  if (answer.value !== "OK") {
    throw new Error("the test did not move the clock: " + answer.value);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  chromiumSandbox: false,
  args: ["--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const r = {};
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const calls = [];
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith("/auth/") || url.pathname.startsWith("/api/")) {
      calls.push(res.request().method() + " " + url.pathname + " " + res.status());
    }
  });
  page.on("pageerror", (e) => console.log("LOG page error: " + e.message));

  /** Clicks a button and waits until the page has shown `answers` more call results. */
  async function click(selector, answers = 1) {
    const seq = Number(await page.$eval("#out", (e) => e.dataset.seq));
    await page.click(selector);
    await page.waitForFunction(
      (s) => Number(document.getElementById("out").dataset.seq) >= s, seq + answers,
      { timeout: TIMEOUT });
    return page.textContent("#out");
  }

  async function signIn(user, password) {
    await page.fill("#username", user);
    await page.fill("#password", password);
    await click("#login");
    await page.locator("#status", { hasText: "Signed in as " + user }).waitFor({ timeout: TIMEOUT });
  }

  await page.goto(baseUrl);
  await page.locator("#status", { hasText: "Signed out" }).waitFor({ timeout: TIMEOUT });

  await signIn("alice", "alice-password");
  r.status = await page.textContent("#status");
  r.cookies = (await context.cookies()).map((c) => ({ name: c.name, httpOnly: c.httpOnly, path: c.path }));
  r.me = await click("#me");
  r.admin = await click("#admin");

  // The access token expires on the server's clock; the SDK must refresh once and retry.
  await advanceServerClock(Number(validitySeconds) + 60);
  calls.length = 0;
  r.meAfterExpiry = await click("#me");
  r.callsOnExpiry = [...calls];
  r.count = await click("#count", 2);
  r.meAfterCount = await click("#me");

  calls.length = 0;
  await click("#signout");
  await page.locator("#status", { hasText: "Signed out" }).waitFor({ timeout: TIMEOUT });
  r.callsOnSignOut = [...calls];
  r.cookiesAfterSignOut = (await context.cookies()).map((c) => c.name);
  calls.length = 0;
  r.meAfterSignOut = await click("#me");
  r.callsAfterSignOut = [...calls];

  await signIn("admin", "admin-password");
  r.adminAsAdmin = await click("#admin");
  await context.close();
} finally {
  await browser.close();
}
console.log("RESULT " + JSON.stringify(r));
process.exit(0);
