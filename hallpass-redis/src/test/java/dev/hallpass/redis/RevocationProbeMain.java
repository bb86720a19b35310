package dev.hallpass.redis;

import dev.hallpass.Hallpass;
import dev.hallpass.HallpassException;
import dev.hallpass.testkit.CountingStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A second process for the revocation tests: an engine with blacklisting on, over its own store
 * (arguments: Redis URI, key prefix), driven line by line on stdin. {@code check TOKEN} answers
 * {@code ok} or {@code revoked} and the store calls made so far; {@code conn} the client name of
 * the feed's pub/sub connection; {@code quit} ends.
 */
public final class RevocationProbeMain {
  private RevocationProbeMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    RedisSessionStore raw =
        (RedisSessionStore) RedisSessionStores.builder().uri(args[0]).keyPrefix(args[1]).build();
    CountingStore store = new CountingStore(raw);
    try (Hallpass h =
        Hallpass.builder()
            .store(store)
            .accessTokenBlacklisting(true)
            .verifiedTokenCacheSize(0)
            .disableBackgroundCleanup()
            .build()) {
      out.println("ready");
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("check ")) {
          String verdict;
          try {
            h.getSession(line.substring(6), null, false);
            verdict = "ok";
          } catch (HallpassException e) {
            verdict = e.getType() == HallpassException.Type.UNAUTHORISED ? "revoked" : "error";
          }
          out.println(verdict + " " + store.calls());
        } else if (line.equals("conn")) {
          out.println(String.join(",", raw.feed().clientNames()));
        } else if (line.equals("quit")) {
          break;
        }
      }
    }
  }
}
