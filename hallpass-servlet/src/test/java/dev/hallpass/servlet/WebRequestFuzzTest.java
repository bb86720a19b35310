package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.Session;
import dev.hallpass.SessionStores;
import dev.hallpass.testkit.MutableClock;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the web layer's cookie and header parsing: {@link HallpassFilter} and
 * {@link HallpassWeb#getSession} / {@link HallpassWeb#refreshSession} with fuzzed {@code Cookie},
 * {@code Authorization}, {@code st-auth-mode}, {@code anti-csrf} and {@code rid} headers, on stub
 * requests (no network). Whatever comes in, the answer is 200 or a 4xx: never an exception out of
 * the filter, never a 500.
 *
 * <p>Input: byte 0 picks the configuration (anti-CSRF mode, token transfer), byte 1 the method and
 * path; then newline-separated header values in this order: Cookie, Cookie (a second header),
 * Authorization, st-auth-mode, anti-csrf, rid. In the values {@code $AT}, {@code $RT} and {@code
 * $CSRF} become a live session's access, refresh and anti-CSRF tokens. Seeds: {@code
 * src/test/resources/dev/hallpass/servlet/WebRequestFuzzTestInputs}.
 */
class WebRequestFuzzTest {
  private static final String[] PATHS = {
    "/auth/session/refresh", "/auth/signout", "/api/session", "/api/optional"
  };
  private static final String[] METHODS = {"POST", "GET", "PUT", "OPTIONS"};
  private static final Set<Integer> ALLOWED = Set.of(200, 401, 405);

  private static final class Fixture {
    final List<HallpassWeb> webs = new ArrayList<>();

    Fixture() {
      MutableClock clock = new MutableClock(Instant.parse("2031-03-04T05:06:07Z"));
      // one store, so one set of signing keys; anti-CSRF tokens only where the web layer uses them
      dev.hallpass.spi.SessionStore store = SessionStores.inMemory(clock);
      Hallpass withTokens = engine(store, clock, true);
      Hallpass without = engine(store, clock, false);
      for (AntiCsrfMode csrf : AntiCsrfMode.values()) {
        for (TokenTransfer transfer : TokenTransfer.values()) {
          webs.add(
              HallpassWeb.builder(csrf == AntiCsrfMode.VIA_TOKEN ? withTokens : without)
                  .clock(clock)
                  .allowInsecureCookies()
                  .antiCsrf(csrf)
                  .tokenTransfer(transfer)
                  .build());
        }
      }
    }

    private static Hallpass engine(
        dev.hallpass.spi.SessionStore store, MutableClock clock, boolean antiCsrf) {
      return Hallpass.builder()
          .store(store)
          .clock(clock)
          .antiCsrf(antiCsrf)
          .disableBackgroundCleanup()
          .build();
    }
  }

  private static Fixture fixture;

  private static synchronized Fixture fixture() {
    if (fixture == null) {
      fixture = new Fixture();
    }
    return fixture;
  }

  @FuzzTest(maxDuration = "5m")
  void filter_withFuzzedCookiesAndHeaders_answers200or4xx(byte[] data) throws Exception {
    Fixture f = fixture();
    HallpassWeb web = f.webs.get(data.length == 0 ? 0 : (data[0] & 0xff) % f.webs.size());
    int route = data.length < 2 ? 0 : data[1] & 0xff;
    String path = PATHS[route % PATHS.length];
    String method = METHODS[(route / PATHS.length) % METHODS.length];
    String[] values = fields(data, 2, 6);
    // a fresh session per input: a refresh or sign-out in one input must not change the next
    Session s = web.engine().createNewSession("alice", Map.of("role", "reader"), null);
    StubExchange x = new StubExchange(method, path);
    String[] names = {"Cookie", "Cookie", "Authorization", "st-auth-mode", "anti-csrf", "rid"};
    for (int i = 0; i < names.length; i++) {
      if (values[i] != null) {
        x.header(names[i], substitute(values[i], s));
      }
    }
    HttpServletRequest req = x.request();
    HttpServletResponse res = x.response();
    FilterChain app =
        (rq, rs) -> {
          Session found =
              web.getSession(
                  (HttpServletRequest) rq,
                  (HttpServletResponse) rs,
                  true,
                  !path.equals("/api/optional"));
          WebEngine.write(
              (HttpServletResponse) rs,
              200,
              Transport.json("user", found == null ? "" : found.getUserId()));
        };
    Filter filter = web.filter();
    filter.doFilter(req, res, app);
    assertThat(x.status).as("status for %s %s", method, path).isIn(ALLOWED);
    if (x.status == 401) {
      assertThat(x.body.toString()).startsWith("{\"message\":");
    }
    // the web layer's own calls, outside the filter: only typed session errors
    for (boolean refresh : new boolean[] {false, true}) {
      StubExchange direct = new StubExchange(method, path);
      for (int i = 0; i < names.length; i++) {
        if (values[i] != null) {
          direct.header(names[i], substitute(values[i], s));
        }
      }
      try {
        if (refresh) {
          web.refreshSession(direct.request(), direct.response());
        } else {
          web.getSession(direct.request(), direct.response(), true, false);
        }
      } catch (HallpassException e) {
        assertThat(e.getType())
            .as(e.getMessage())
            .isNotEqualTo(HallpassException.Type.GENERAL_ERROR);
      }
    }
  }

  private static String substitute(String v, Session s) {
    String csrf = s.getTokens().getAntiCsrfToken();
    return v.replace("$AT", s.getAccessToken())
        .replace("$RT", s.getTokens().getRefreshToken())
        .replace("$CSRF", csrf == null ? "" : csrf);
  }

  /** {@code count} newline-separated texts from {@code from}; missing ones are null. */
  static String[] fields(byte[] data, int from, int count) {
    String[] out = new String[count];
    int start = from;
    for (int i = 0; i < count && start <= data.length && start >= from; i++) {
      int end = start;
      while (end < data.length && data[end] != '\n') {
        end++;
      }
      if (start < data.length || i == 0) {
        out[i] = new String(data, start, Math.max(0, end - start), StandardCharsets.UTF_8);
      }
      start = end + 1;
      if (end >= data.length) {
        break;
      }
    }
    return out;
  }
}
