// A browser that holds stray session cookies of the parent domain next to its own (an earlier
// deployment set them with Domain=.example.test): headless Chromium on http://app.example.test
// (mapped to 127.0.0.1), the real supertokens-website SDK. DuplicateCookiesBrowserTest starts it.
//
//   node src/test/js/duplicate-cookies-e2e.mjs <port> <accessTokenValiditySeconds>
//
// Protocol on stdout as in demo-e2e.mjs: "LOG <text>", "ADVANCE <seconds>" (answered "OK" on
// stdin), and finally "RESULT <json>". Only cookie names, domains and call lines leave the script.
import { chromium } from "playwright-core";
import readline from "node:readline";

const [port, validitySeconds] = process.argv.slice(2);
const origin = "http://app.example.test:" + port;
const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const TIMEOUT = 15_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  headless: true,
  chromiumSandbox: false,
  args: ["--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--host-resolver-rules=MAP app.example.test 127.0.0.1"],
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

  await page.goto(origin + "/");
  await page.locator("#signed-out").waitFor({ timeout: TIMEOUT });
  await page.fill("#user-name", "dana");
  await page.click("#signin");
  await page.locator("#user-id", { hasText: "dana" }).waitFor({ timeout: TIMEOUT });
  // The page loads the session list and data after sign-in. Let those answers arrive before the
  // clock moves: a late one would get a 401, refresh and sign the page out before the user's call.
  const deadline = Date.now() + TIMEOUT;
  while (!calls.includes("GET /api/sessions 200") || !calls.includes("GET /api/session-data 200")) {
    if (Date.now() > deadline) {
      throw new Error("the page's calls after sign-in did not finish: " + calls.join(", "));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  // The stray cookies: copies of today's tokens, as an older deployment left them on the parent
  // domain (they go stale at the next refresh).
  const own = await context.cookies();
  const stray = own
    .filter((c) => c.name === "sAccessToken" || c.name === "sRefreshToken")
    .map((c) => ({ name: c.name, value: c.value, domain: ".example.test", path: c.path,
      httpOnly: true, sameSite: "Lax", expires: Math.floor(Date.now() / 1000) + 3600 }));
  await context.addCookies(stray);
  r.cookiesBefore = (await context.cookies()).map((c) => c.name + "@" + c.domain).sort();

  console.log("ADVANCE " + (Number(validitySeconds) + 1));
  if ((await stdin.next()).value !== "OK") {
    throw new Error("the test did not move the clock");
  }
  calls.length = 0;
  await page.evaluate(() => { document.getElementById("api-result").textContent = ""; });
  await page.click("#call-api");
  // Either the API answers (still signed in) or the page shows the sign-in form (signed out).
  // (Each wait swallows its own timeout: the loser of the race must not end the script.)
  await Promise.race([
    page.locator("#api-result", { hasText: "dana" }).waitFor({ timeout: TIMEOUT }).catch(() => {}),
    page.locator("#signed-out").waitFor({ timeout: TIMEOUT }).catch(() => {}),
  ]);
  r.calls = [...calls];
  r.log = await page.$$eval("#log li .what", (items) => items.map((i) => i.textContent).reverse());
  r.stillSignedIn = await page.isVisible("#signed-in");
  r.cookiesAfter = (await context.cookies()).map((c) => c.name + "@" + c.domain).sort();

  // The next call, as the user clicks again.
  if (r.stillSignedIn) {
    calls.length = 0;
    await page.evaluate(() => { document.getElementById("api-result").textContent = ""; });
    await page.click("#call-api");
    await page.locator("#api-result", { hasText: "dana" }).waitFor({ timeout: TIMEOUT })
      .catch(() => {});
    r.nextCalls = [...calls];
    r.nextResult = (await page.textContent("#api-result")).includes("dana");
  }
  await context.close();
} finally {
  await browser.close();
}
console.log("RESULT " + JSON.stringify(r));
process.exit(0);
