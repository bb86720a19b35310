package dev.hallpass.loadtest;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that misbehaves on purpose: every 3rd refresh on expiry it presents the refresh token
 * two generations old instead of its current one (older than the previous token: rule 5, theft).
 * Against a real target the run must then fail with false theft verdicts: the driver reads the real
 * wire's theft answers.
 */
final class ReplayingClient implements SessionApi {
  private final SessionApi real;
  private final Map<String, String> parentOf = new ConcurrentHashMap<>();
  private final AtomicLong refreshes = new AtomicLong();

  ReplayingClient(SessionApi real) {
    this.real = real;
  }

  @Override
  public Answer refresh(Tokens t, String call) throws IOException, InterruptedException {
    String parent = parentOf.get(t.refresh());
    String grandparent = parent == null ? null : parentOf.get(parent);
    if (call.equals("refresh") && grandparent != null && refreshes.incrementAndGet() % 3 == 0) {
      return real.refresh(t.withRefresh(grandparent), call);
    }
    Answer a = real.refresh(t, call);
    if (a instanceof Answer.Ok ok && ok.tokens() != null && ok.tokens().refresh() != null) {
      parentOf.putIfAbsent(ok.tokens().refresh(), t.refresh());
    }
    return a;
  }

  @Override
  public Answer create(String userId) throws IOException, InterruptedException {
    return real.create(userId);
  }

  @Override
  public Answer verify(Tokens tokens) throws IOException, InterruptedException {
    return real.verify(tokens);
  }

  @Override
  public Answer putData(Tokens tokens, long n, int browser)
      throws IOException, InterruptedException {
    return real.putData(tokens, n, browser);
  }

  @Override
  public Answer getData(Tokens tokens) throws IOException, InterruptedException {
    return real.getData(tokens);
  }

  @Override
  public Answer signOut(Tokens tokens) throws IOException, InterruptedException {
    return real.signOut(tokens);
  }

  @Override
  public Answer probeSignedOut(Tokens before) throws IOException, InterruptedException {
    return real.probeSignedOut(before);
  }
}
