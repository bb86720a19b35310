// The example's page: supertokens-website keeps the session (cookies, automatic refresh on a 401
// "try refresh token", sign-out); the page only calls the API with fetch.
"use strict";

supertokens.init({
  apiDomain: location.origin,
  apiBasePath: "/auth", // hallpass.api-base-path
  sessionExpiredStatusCode: 401, // hallpass.session-expired-status
});

const out = document.getElementById("out");
const status = document.getElementById("status");

/** Shows one call's outcome; data-seq lets a test wait for it. */
function show(text) {
  out.textContent = text;
  out.dataset.seq = String(Number(out.dataset.seq) + 1);
}

async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  show(method + " " + path + " → " + res.status + "\n" + text);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function refreshStatus() {
  if (await supertokens.doesSessionExist()) {
    const payload = await supertokens.getAccessTokenPayloadSecurely();
    status.textContent = "Signed in as " + payload.sub + " (roles: " + payload.roles.join(", ") + ")";
  } else {
    status.textContent = "Signed out";
  }
}

document.getElementById("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  await call("POST", "/api/login", {
    username: document.getElementById("username").value,
    password: document.getElementById("password").value,
  });
  await refreshStatus();
});

document.getElementById("me").addEventListener("click", () => call("GET", "/api/me"));
document.getElementById("admin").addEventListener("click", () => call("GET", "/api/admin/stats"));
document.getElementById("count").addEventListener("click", async () => {
  const me = await call("GET", "/api/me");
  if (me.status === 200) {
    await call("PUT", "/api/session-data", { visits: (me.body.sessionData.visits || 0) + 1 });
  }
});
document.getElementById("signout").addEventListener("click", async () => {
  await supertokens.signOut();
  show("signed out");
  await refreshStatus();
});

refreshStatus();
