"use strict";
// The demo page. supertokens-website (global `supertokens`) wraps fetch: it adds the session
// headers, and on a 401 it calls POST /auth/session/refresh once and retries the request.

const $ = (id) => document.getElementById(id);
const mode = new URLSearchParams(location.search).get("auth") === "header" ? "header" : "cookie";
let accessTokenExpiry = 0;

supertokens.init({
  apiDomain: location.origin,
  apiBasePath: "/auth",
  tokenTransferMethod: mode,
  onHandleEvent: (event) => {
    log("SDK: " + event.action);
    if (event.action === "SIGN_OUT" || event.action === "UNAUTHORISED") {
      showSignedOut();
    } else if (event.action === "REFRESH_SESSION" || event.action === "ACCESS_TOKEN_PAYLOAD_UPDATED") {
      showPayload();
    }
  },
});

function log(text) {
  const li = document.createElement("li");
  li.textContent = new Date().toLocaleTimeString() + "  " + text;
  $("log").prepend(li);
}

async function api(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  log(method + " " + path + " → " + res.status);
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    throw new Error((json && json.message) || "HTTP " + res.status);
  }
  return json;
}

function showSignedOut() {
  $("signed-in").hidden = true;
  $("signed-out").hidden = false;
  $("api-result").textContent = "";
}

async function showSignedIn() {
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  $("user-id").textContent = await supertokens.getUserId();
  await Promise.all([showPayload(), loadSessionData(), listSessions()]);
}

async function showPayload() {
  if (!(await supertokens.doesSessionExist())) {
    return;
  }
  const payload = await supertokens.getAccessTokenPayloadSecurely();
  $("payload").textContent = JSON.stringify(payload, null, 2);
  accessTokenExpiry = payload.exp * 1000;
}

async function loadSessionData() {
  $("session-data").value = JSON.stringify(await api("GET", "/api/session-data"), null, 2);
}

async function listSessions() {
  const rows = await api("GET", "/api/sessions");
  $("sessions").replaceChildren(...rows.map((s) => {
    const tr = document.createElement("tr");
    tr.className = s.current ? "current" : "";
    for (const text of [s.handle + (s.current ? "  (this browser)" : ""), s.createdAt, s.expiresAt]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

function run(action) {
  return async (event) => {
    event.preventDefault();
    try {
      await action();
    } catch (err) {
      log("failed: " + err.message);
    }
  };
}

$("signin-form").addEventListener("submit", run(async () => {
  await api("POST", "/api/signin", { userName: $("user-name").value });
  await showSignedIn();
}));
$("call-api").addEventListener("click", run(async () => {
  $("api-result").textContent = JSON.stringify(await api("GET", "/api/me"), null, 2);
}));
$("save-data").addEventListener("click", run(async () => {
  let data;
  try {
    data = JSON.parse($("session-data").value);
  } catch (err) {
    $("data-status").textContent = "not JSON: " + err.message;
    return;
  }
  await api("PUT", "/api/session-data", data);
  $("data-status").textContent = "saved at " + new Date().toLocaleTimeString();
}));
$("list-sessions").addEventListener("click", run(listSessions));
$("signout").addEventListener("click", run(async () => {
  await supertokens.signOut();
  showSignedOut();
}));
$("signout-everywhere").addEventListener("click", run(async () => {
  await api("POST", "/api/signout-everywhere");
  showSignedOut();
}));

$("mode").textContent = mode === "header" ? "headers (Authorization: Bearer)" : "HttpOnly cookies";
$("switch-mode").href = mode === "header" ? "?" : "?auth=header";
setInterval(() => {
  const left = Math.round((accessTokenExpiry - Date.now()) / 1000);
  $("expires-in").textContent = left > 0 ? "expires in " + left + " s"
    : "has expired: the next API call refreshes it first";
}, 1000);

run(async () => {
  if (await supertokens.doesSessionExist()) {
    await showSignedIn();
  } else {
    showSignedOut();
  }
})(new Event("load"));
