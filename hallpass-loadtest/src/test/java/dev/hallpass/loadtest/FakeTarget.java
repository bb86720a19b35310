package dev.hallpass.loadtest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallpass.loadtest.Answer.Ok;
import dev.hallpass.loadtest.Answer.ServerError;
import dev.hallpass.loadtest.Answer.Theft;
import dev.hallpass.loadtest.Answer.TryRefresh;
import dev.hallpass.loadtest.Answer.Unauthorised;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * An in-memory target that follows the refresh rules of wire-protocol section 1 (rules 1-5 and
 * confirmation), on a clock the test moves, and can be told to break one of them: to show that the
 * driver's checks catch each kind of misbehaviour.
 */
final class FakeTarget implements SessionApi {

  /** The misbehaviour to show, or none. */
  enum Fault {
    NONE,
    /** Rule 3 broken: a retry after a lost answer, past the grace period, is called theft. */
    THEFT_ON_LATE_RETRY,
    /** Every 50th call answers HTTP 500. */
    SERVER_ERROR_EVERY_50TH_CALL,
    /** Every 10th session-data update is acknowledged but not stored. */
    DROPS_EVERY_10TH_UPDATE,
    /** Sign-out answers OK but the session lives on. */
    KEEPS_SESSIONS_AFTER_SIGN_OUT,
    /** Rule 2 broken: the previous token within grace gets a new child, not the same one. */
    NEW_CHILD_WITHIN_GRACE,
    /** Every 40th protected call answers UNAUTHORISED (a session lost). */
    FORGETS_SESSIONS
  }

  private static final class Session {
    String current;
    String previous;
    long issuedAt;
    boolean confirmed = true;
    long n;
  }

  private final LongSupplier now;
  private final long validity;
  private final long grace;
  private final Fault fault;
  private final Map<String, Session> sessions = new HashMap<>();
  private long calls;
  private long counter;

  FakeTarget(LongSupplier nowMillis, long validityMillis, long graceMillis, Fault fault) {
    this.now = nowMillis;
    this.validity = validityMillis;
    this.grace = graceMillis;
    this.fault = fault;
  }

  private boolean serverError() {
    return fault == Fault.SERVER_ERROR_EVERY_50TH_CALL && ++calls % 50 == 0;
  }

  private Tokens tokens(String handle, Session s) {
    // access token: handle | the refresh token it belongs to | expiry
    return new Tokens(
        handle + "|" + s.current + "|" + (now.getAsLong() + validity), s.current, handle);
  }

  @Override
  public synchronized Answer create(String userId) {
    if (serverError()) {
      return new ServerError("create", 500);
    }
    String handle = "h" + ++counter;
    Session s = new Session();
    s.current = "r" + ++counter;
    sessions.put(handle, s);
    return new Ok(tokens(handle, s), null);
  }

  @Override
  public synchronized Answer verify(Tokens t) {
    if (serverError()) {
      return new ServerError("verify", 500);
    }
    String[] parts = t.access().split("\\|");
    Session s = sessions.get(parts[0]);
    if (s == null || (fault == Fault.FORGETS_SESSIONS && ++calls % 40 == 0)) {
      return new Unauthorised();
    }
    if (now.getAsLong() >= Long.parseLong(parts[2])) {
      return new TryRefresh();
    }
    if (parts[1].equals(s.current)) {
      s.confirmed = true;
      return new Ok(t, null);
    }
    return parts[1].equals(s.previous) ? new Ok(t, null) : new TryRefresh();
  }

  @Override
  public synchronized Answer refresh(Tokens t, String call) {
    if (serverError()) {
      return new ServerError(call, 500);
    }
    Session s = sessions.get(t.handle());
    if (s == null) {
      return new Unauthorised();
    }
    long at = now.getAsLong();
    if (t.refresh().equals(s.current)) { // rule 1
      s.previous = s.current;
      s.current = "r" + ++counter;
      s.issuedAt = at;
      s.confirmed = false;
      return new Ok(tokens(t.handle(), s), null);
    }
    if (t.refresh().equals(s.previous)) {
      if (at < s.issuedAt + grace) { // rule 2
        if (fault == Fault.NEW_CHILD_WITHIN_GRACE) {
          s.current = "r" + ++counter;
        }
        return new Ok(tokens(t.handle(), s), null);
      }
      if (!s.confirmed && fault != Fault.THEFT_ON_LATE_RETRY) { // rule 3
        s.current = "r" + ++counter;
        s.issuedAt = at;
        return new Ok(tokens(t.handle(), s), null);
      }
    }
    sessions.remove(t.handle()); // rules 4 and 5
    return new Theft(call);
  }

  @Override
  public synchronized Answer putData(Tokens t, long n, int browser) {
    if (serverError()) {
      return new ServerError("putData", 500);
    }
    Session s = sessions.get(t.handle());
    if (s == null) {
      return new Unauthorised();
    }
    if (!(fault == Fault.DROPS_EVERY_10TH_UPDATE && n % 10 == 0)) {
      s.n = n;
    }
    return new Ok(t, null);
  }

  @Override
  public synchronized Answer getData(Tokens t) {
    if (serverError()) {
      return new ServerError("getData", 500);
    }
    Session s = sessions.get(t.handle());
    if (s == null) {
      return new Unauthorised();
    }
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("n", s.n);
    return new Ok(t, data);
  }

  @Override
  public synchronized Answer signOut(Tokens t) {
    if (serverError()) {
      return new ServerError("signOut", 500);
    }
    if (fault != Fault.KEEPS_SESSIONS_AFTER_SIGN_OUT) {
      sessions.remove(t.handle());
    }
    return new Ok(null, null);
  }

  @Override
  public synchronized Answer probeSignedOut(Tokens before) {
    return sessions.containsKey(before.handle()) ? new Ok(before, null) : new Unauthorised();
  }
}
