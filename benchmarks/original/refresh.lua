-- wrk script of the comparison with the original library (both stacks): POST /refresh, chained.
--   wrk -t1 -c32 -d10s -s refresh.lua http://127.0.0.1:PORT/refresh -- SESSIONS_FILE
-- SESSIONS_FILE: one session a line, "REFRESH_COOKIE_VALUE ANTI_CSRF" (as the login answer set
-- them; more sessions than connections). Each request takes a session from the queue and
-- presents its newest refresh token (sRefreshToken cookie; the original also wants an
-- sIdRefreshToken cookie, any value; Hallpass checks the anti-csrf header); the answer's body
-- repeats the new refresh token and anti-CSRF token (both apps do this, because wrk shows a script
-- one Set-Cookie header only), which go back to the end of the queue. So no session is ever
-- refreshed by two requests at once, and each refresh presents the token the previous one gave:
-- the chain a browser makes, refreshing again before it uses the new access token. A session
-- whose answer is lost (a socket error) leaves the rotation; if none is left, requests go without
-- a token and come back 401, which the run reports as non-2xx answers.
-- wrk calls request() once before the run to test the script (its pipelining check): that
-- session is taken from the queue but never sent, so it too leaves the rotation.
local queue, head, tail = {}, 1, 0

function init(args)
  for line in io.lines(args[1]) do
    local token, csrf = line:match("^(%S+) (%S+)$")
    if token then
      tail = tail + 1
      queue[tail] = { token, csrf }
    end
  end
end

function request()
  if head > tail then
    return wrk.format("POST")
  end
  local s = queue[head]
  queue[head] = nil
  head = head + 1
  return wrk.format("POST", nil, {
    ["Cookie"] = "sRefreshToken=" .. s[1] .. "; sIdRefreshToken=bench",
    ["anti-csrf"] = s[2],
  })
end

function response(status, headers, body)
  if status == 200 then
    local token, csrf = body:match("^(%S+) (%S+)$")
    if token then
      tail = tail + 1
      queue[tail] = { token, csrf }
    end
  end
end
