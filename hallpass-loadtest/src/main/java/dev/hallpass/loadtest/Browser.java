package dev.hallpass.loadtest;

import dev.hallpass.loadtest.Answer.Ok;
import dev.hallpass.loadtest.Answer.ServerError;
import dev.hallpass.loadtest.Answer.Theft;
import dev.hallpass.loadtest.Answer.TryRefresh;
import dev.hallpass.loadtest.Answer.Unauthorised;
import dev.hallpass.loadtest.Answer.Unexpected;
import dev.hallpass.loadtest.Tally.Event;
import dev.hallpass.loadtest.Tally.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * One simulated browser: one session at a time, one step at a time (never two steps of one browser
 * at once, except its two racing tabs). It checks every answer against the session model
 * (wire-protocol section 1) and records what breaks it in the {@link Tally}:
 *
 * <ul>
 *   <li>a protected call with an expired access token answers TRY_REFRESH_TOKEN; the browser
 *       refreshes and calls again, as {@code supertokens-website} does;
 *   <li>two tabs refreshing at once with one refresh token must get the same child (rule 2);
 *   <li>a refresh whose answer was lost, retried with the old token, must never be theft: the same
 *       child within the grace period (rule 2), a new one after it (rule 3);
 *   <li>every acknowledged data update must be read back (a lost update fails);
 *   <li>after sign-out, the tokens held before must be UNAUTHORISED;
 *   <li>while signed in, UNAUTHORISED is a lost session and TOKEN_THEFT_DETECTED a false theft.
 * </ul>
 *
 * Not thread-safe: the run steps each browser from one task at a time.
 */
final class Browser {
  /**
   * Slack for the rule check of a retried refresh: the grace period is timed on the database's
   * clock, the pause on ours (same machine), and the send/receive instants bracket the database's
   * reading; this covers clock reading granularity only.
   */
  static final long RULE_SLACK_MILLIS = 100;

  private final int id;
  private final SessionApi api;
  private final Tally tally;
  private final Mix mix;
  private final SplittableRandom random;
  private final LongSupplier nowMillis;
  private final Executor tabs;

  private Tokens tokens; // null: signed out
  private long updates; // acknowledged data updates of the current session
  private boolean lastUpdateInDoubt; // the last update's answer never came: n is updates or +1
  private int sessions;

  // A refresh whose answer was lost: retried with lostFrom after the pause.
  private Tokens lostFrom;
  private Tokens lostChild;
  private long lostSentAt;
  private long lostAnsweredAt;
  private long retryPause;

  Browser(
      int id,
      SessionApi api,
      Tally tally,
      Mix mix,
      long seed,
      LongSupplier nowMillis,
      Executor tabs) {
    this.id = id;
    this.api = api;
    this.tally = tally;
    this.mix = mix;
    this.random = new SplittableRandom(seed);
    this.nowMillis = nowMillis;
    this.tabs = tabs;
  }

  int id() {
    return id;
  }

  /** A first pause, so that the browsers do not start in step. */
  long initialPause() {
    return pause(mix.thinkTime().toMillis());
  }

  /** One step of the mix; returns the pause before the next, in milliseconds. */
  long step() throws InterruptedException {
    try {
      if (lostFrom != null) {
        retryLostAnswer();
      } else if (tokens == null) {
        create();
      } else {
        int r = random.nextInt(100);
        if ((r -= mix.protectedCall()) < 0) {
          protectedCall();
        } else if ((r -= mix.dataUpdate()) < 0) {
          updateAndReadBack();
        } else if ((r -= mix.tabRace()) < 0) {
          raceTwoTabs();
        } else if ((r -= mix.lostAnswer()) < 0) {
          loseAnAnswer();
          if (lostFrom != null) {
            return retryPause;
          }
        } else {
          signOut();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      transport(e);
    }
    return pause(mix.thinkTime().toMillis());
  }

  /**
   * After the run: a pending lost answer is retried, then a signed-in browser must still have its
   * session (a protected call succeeds) and read back its last update.
   */
  void finalCheck() throws InterruptedException {
    try {
      if (lostFrom != null) {
        retryLostAnswer();
      }
      if (tokens != null && protectedCall()) {
        readBack();
        tally.event(Event.FINAL_CHECKS);
      }
    } catch (IOException | UncheckedIOException e) {
      transport(e);
    }
  }

  private void create() throws IOException, InterruptedException {
    sessions++;
    Answer a = api.create("load-" + id + "-" + sessions);
    if (a instanceof Ok ok) {
      tokens = ok.tokens();
      updates = 0;
      lastUpdateInDoubt = false;
      tally.event(Event.SESSIONS_CREATED);
    } else {
      judge(a, "create");
    }
  }

  /** A protected call, refreshing once on TRY_REFRESH_TOKEN; true when the session answered. */
  private boolean protectedCall() throws IOException, InterruptedException {
    Answer a = api.verify(tokens);
    if (a instanceof TryRefresh) {
      if (!refreshOnExpiry()) {
        return false;
      }
      a = api.verify(tokens);
    }
    if (a instanceof Ok ok) {
      tokens = ok.tokens();
      tally.event(Event.PROTECTED_CALLS);
      return true;
    }
    judge(a, "protected call");
    return false;
  }

  private boolean refreshOnExpiry() throws IOException, InterruptedException {
    Answer a = api.refresh(tokens, "refresh");
    if (a instanceof Ok ok) {
      tokens = ok.tokens();
      tally.event(Event.REFRESHES_ON_EXPIRY);
      return true;
    }
    judge(a, "refresh on expiry");
    return false;
  }

  private void updateAndReadBack() throws IOException, InterruptedException {
    long next = updates + 1;
    Answer a = api.putData(tokens, next, id);
    if (a instanceof TryRefresh) {
      if (!refreshOnExpiry()) {
        return;
      }
      a = api.putData(tokens, next, id);
    }
    if (a instanceof Ok ok) {
      if (ok.tokens() != null) {
        tokens = ok.tokens();
      }
      updates = next;
      lastUpdateInDoubt = false;
      tally.event(Event.DATA_UPDATES);
    } else {
      // An update without an answer may or may not have happened: either value reads back.
      lastUpdateInDoubt = true;
      judge(a, "data update");
      if (tokens == null) {
        return;
      }
    }
    readBack();
  }

  private void readBack() throws IOException, InterruptedException {
    Answer a = api.getData(tokens);
    if (a instanceof TryRefresh) {
      if (!refreshOnExpiry()) {
        return;
      }
      a = api.getData(tokens);
    }
    if (!(a instanceof Ok ok)) {
      judge(a, "data read-back");
      return;
    }
    if (ok.tokens() != null) {
      tokens = ok.tokens();
    }
    long n = ok.body().path("n").asLong(0);
    if (lastUpdateInDoubt && (n == updates || n == updates + 1)) {
      updates = n;
      lastUpdateInDoubt = false;
    }
    if (n != updates) {
      tally.fail(
          Failure.LOST_UPDATE,
          "browser " + id + " read back update " + n + " after " + updates + " acknowledged");
      updates = Math.max(n, updates); // report each loss once
    }
    tally.event(Event.DATA_READ_BACKS);
  }

  /** Two tabs refresh at once with the same refresh token: both must get the same child. */
  private void raceTwoTabs() throws IOException, InterruptedException {
    Tokens from = tokens;
    CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> tab(from), tabs);
    CompletableFuture<Answer> second = CompletableFuture.supplyAsync(() -> tab(from), tabs);
    Answer a;
    Answer b;
    try {
      a = first.join();
      b = second.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io;
      }
      throw e;
    }
    if (!(a instanceof Ok)) {
      judge(a, "racing tab");
      if (!(b instanceof Ok)) {
        return;
      }
    }
    if (!(b instanceof Ok)) {
      judge(b, "racing tab");
    }
    Tokens got = a instanceof Ok okA ? okA.tokens() : ((Ok) b).tokens();
    if (a instanceof Ok okA && b instanceof Ok okB && !okA.tokens().sameRefresh(okB.tokens())) {
      tally.fail(
          Failure.TABS_DIVERGED, "browser " + id + ": two racing tabs got different children");
    }
    if (tokens != null) {
      tokens = got;
      tally.event(Event.TAB_RACES);
    }
  }

  private Answer tab(Tokens from) {
    try {
      return api.refresh(from, "refresh (two tabs at once)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted"));
    }
  }

  /** Refreshes and drops the answer (the tab crashed, the laptop slept); retried later. */
  private void loseAnAnswer() throws IOException, InterruptedException {
    Tokens from = tokens;
    long sent = nowMillis.getAsLong();
    Answer a = api.refresh(from, "refresh (answer lost)");
    long answered = nowMillis.getAsLong();
    if (a instanceof Ok ok) {
      lostFrom = from;
      lostChild = ok.tokens();
      lostSentAt = sent;
      lostAnsweredAt = answered;
      retryPause = random.nextLong(2 * mix.grace().toMillis() + 1);
      tally.event(Event.LOST_ANSWERS);
    } else {
      judge(a, "refresh whose answer is then lost");
    }
  }

  /** The retry with the old refresh token: rule 2 within grace, rule 3 after it; never theft. */
  private void retryLostAnswer() throws IOException, InterruptedException {
    long sent = nowMillis.getAsLong();
    Answer a = api.refresh(lostFrom, "refresh (retry after a lost answer)");
    long answered = nowMillis.getAsLong();
    lostFrom = null;
    if (!(a instanceof Ok ok)) {
      judge(a, "retry after a lost answer");
      return;
    }
    long grace = mix.grace().toMillis();
    if (ok.tokens().sameRefresh(lostChild)) {
      tally.event(Event.RETRIES_SAME_CHILD);
      if (sent - lostAnsweredAt > grace + RULE_SLACK_MILLIS) {
        tally.fail(
            Failure.WRONG_RULE,
            "browser " + id + ": the lost child again " + (sent - lostAnsweredAt) + " ms later");
      }
    } else {
      tally.event(Event.RETRIES_NEW_CHILD);
      if (answered - lostSentAt < grace - RULE_SLACK_MILLIS) {
        tally.fail(
            Failure.WRONG_RULE,
            "browser " + id + ": a new child only " + (answered - lostSentAt) + " ms later");
      }
    }
    tokens = ok.tokens();
  }

  private void signOut() throws IOException, InterruptedException {
    Answer a = api.signOut(tokens);
    if (a instanceof TryRefresh) {
      if (!refreshOnExpiry()) {
        return;
      }
      a = api.signOut(tokens);
    }
    Tokens before = tokens;
    if (!(a instanceof Ok)) {
      judge(a, "sign-out");
      return;
    }
    tokens = null;
    tally.event(Event.SIGN_OUTS);
    Answer probe = api.probeSignedOut(before);
    if (probe instanceof Ok) {
      tally.fail(Failure.NOT_SIGNED_OUT, "browser " + id + ": the session answered after sign-out");
    } else if (probe instanceof Theft t) {
      tally.fail(Failure.FALSE_THEFT, "browser " + id + ": " + t.call() + " after sign-out");
    } else if (!(probe instanceof Unauthorised)) {
      judgeStatus(probe, "probe after sign-out");
    }
  }

  /**
   * A non-OK answer where the session should have answered. Theft and UNAUTHORISED end the session
   * (the browser signs in again next); a 5xx or transport error leaves it as it was.
   */
  private void judge(Answer a, String call) {
    if (a instanceof Theft t) {
      tally.fail(Failure.FALSE_THEFT, "browser " + id + ": " + call + " (" + t.call() + ")");
      tokens = null;
    } else if (a instanceof Unauthorised) {
      tally.fail(Failure.LOST_SESSION, "browser " + id + ": " + call + " answered UNAUTHORISED");
      tokens = null;
    } else if (a instanceof TryRefresh) {
      tally.fail(
          Failure.UNEXPECTED,
          "browser " + id + ": " + call + " asked for a refresh right after one");
    } else {
      judgeStatus(a, call);
    }
  }

  private void judgeStatus(Answer a, String call) {
    if (a instanceof ServerError e) {
      tally.fail(Failure.SERVER_ERROR, "browser " + id + ": " + call + ": HTTP " + e.status());
    } else if (a instanceof Unexpected u) {
      tally.fail(Failure.UNEXPECTED, "browser " + id + ": " + call + ": " + u.description());
    } else {
      tally.fail(Failure.UNEXPECTED, "browser " + id + ": " + call + ": " + a);
    }
  }

  private void transport(Exception e) {
    Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
    tally.fail(
        Failure.TRANSPORT,
        "browser " + id + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  private long pause(long mean) {
    return mean == 0 ? 0 : random.nextLong(2 * mean + 1);
  }
}
