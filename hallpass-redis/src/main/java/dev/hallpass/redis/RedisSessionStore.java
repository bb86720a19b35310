package dev.hallpass.redis;

import dev.hallpass.HallpassException;
import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import dev.hallpass.spi.SigningKeyRecord;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link SessionStore} on Redis or Redis Cluster. Made by {@link RedisSessionStores}.
 *
 * <p><b>Sessions.</b> One hash per session ({@link Keys#session}), fields: {@code t} tenant, {@code
 * u} user, {@code d} data, {@code p} payload, {@code c} created, {@code e} expires, {@code k}
 * refresh key, {@code cur}/{@code par} refresh hashes, {@code i} issued, {@code n} child index,
 * {@code f} confirmed, {@code v} version, {@code ib} the user-index bound, {@code xb} the expiry
 * bucket, {@code ci}/{@code cu} the client's IP address and User-Agent at creation and {@code
 * li}/{@code lu} at the last rotation (each {@code +} and the value, or empty or absent for none).
 * Times are epoch milliseconds. The key expires at the session's expiry plus the retention, so
 * Redis removes every session on its own; {@link #deleteExpiredSessions} only does it sooner.
 *
 * <p><b>Refresh ({@link #lockAndDecide}).</b> Optimistic concurrency: one script reads the session
 * and the Redis server's {@code TIME} in one atomic step on the node that owns the session; the
 * rule decides in Java; a compare-and-set script writes the decision only if the session's version
 * is unchanged, otherwise the store reads and decides again (at most {@link #MAX_ATTEMPTS} times).
 * Every write of a session raises its version, so the applied decision always saw the state it
 * replaces. A Keep decision, or one on a missing session, writes nothing and needs no check: it
 * took effect at the instant of its read.
 *
 * <p><b>The user index</b> ({@link Keys#user}) is in its own slot, so it is written apart from the
 * session, and always before it: first the handle goes into the index with a bound (epoch ms) past
 * which the session's key is certainly gone, then the session is written or extended. The index is
 * therefore a superset of the user's sessions: an entry whose session is missing (a failed insert,
 * a session Redis expired) or belongs to another user (a rejected duplicate handle) is harmless,
 * since every read checks the session itself. Entries are pruned once their bound has passed (on
 * every listing and every insertion for the user), and the index key expires with its last bound. A
 * refresh moves the bound only when the new expiry passes it, and then to twice the remaining time,
 * so most refreshes do not touch the index.
 *
 * <p><b>The expiry index</b> ({@link Keys#bucket}): one sorted set per hour of expiry, scored by
 * expiry, each expiring with its sessions. {@link #deleteExpiredSessions} reads the buckets that
 * can hold expired sessions still present, oldest first, and deletes each candidate with a script
 * that checks its expiry again, so a session refreshed meanwhile is never deleted. A refresh that
 * moves a session to another hour re-files it without waiting; a lost re-filing only leaves the
 * deletion to Redis's own expiry.
 */
final class RedisSessionStore implements SessionStore {

  /** Attempts of a refresh whose compare-and-set lost to a concurrent write of the session. */
  static final int MAX_ATTEMPTS = 100;

  /** Commands in flight at once in bulk operations. */
  private static final int BATCH = 256;

  private static final String[] NO_ARGS = new String[0];

  private final RedisLink link;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final Keys keys;

  /** The refresh clock; null: the Redis server's. */
  private final Clock clock;

  private final long retentionMillis;
  private final long timeoutMillis;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RedisRevocationFeed feed;

  RedisSessionStore(
      RedisLink link, String prefix, Clock clock, Duration retention, Duration commandTimeout) {
    this.link = link;
    this.redis = link.commands();
    this.keys = new Keys(prefix);
    this.clock = clock;
    this.retentionMillis = retention.toMillis();
    // The client times commands out itself; this only guards against a lost completion.
    this.timeoutMillis = commandTimeout.toMillis() + 5_000;
    this.feed = new RedisRevocationFeed(this, link, keys.revocationChannel());
  }

  // ---------------------------------------------------------------- sessions

  @Override
  public void insertSession(SessionRecord s) {
    Objects.requireNonNull(s, "session");
    ensureOpen();
    long expires = s.expiresAt().toEpochMilli();
    long bound = indexBound(expires, s.createdAt().toEpochMilli());
    long bucket = Keys.bucketOf(expires);
    // The index first: a session must never exist without its user's index entry.
    await(addToUserIndex(s.userId(), s.handle(), bound), "insert the session");

    List<String> args = new ArrayList<>(32);
    args.add(expiryMode());
    args.add(expiryValue(expires + retentionMillis));
    field(args, "t", s.tenantId());
    field(args, "u", s.userId());
    field(args, "d", s.sessionDataJson());
    field(args, "p", s.jwtPayloadJson());
    field(args, "c", s.createdAt().toEpochMilli());
    field(args, "e", expires);
    field(args, "k", s.refreshKey());
    field(args, "cur", s.currentRefreshHash());
    if (s.parentRefreshHash() != null) {
      field(args, "par", s.parentRefreshHash());
    }
    if (s.issuedAt() != null) {
      field(args, "i", s.issuedAt().toEpochMilli());
    }
    field(args, "n", s.childIndex());
    field(args, "f", s.confirmed() ? "1" : "0");
    field(args, "v", 0);
    field(args, "ci", optional(s.createdIp()));
    field(args, "cu", optional(s.createdUserAgent()));
    field(args, "li", optional(s.lastIp()));
    field(args, "lu", optional(s.lastUserAgent()));
    field(args, "ib", bound);
    field(args, "xb", bucket);
    CompletableFuture<Long> inserted =
        integer(Script.INSERT_SESSION, keys.session(s.handle()), args);
    CompletableFuture<Long> filed = addToBucket(bucket, s.handle(), expires);
    long result = await(inserted, "insert the session");
    if (result == 0) {
      filed.cancel(false); // the entry (if made) points at the existing session: harmless
      throw HallpassException.generalError("a session with this handle exists already", null);
    }
    await(filed, "insert the session");
  }

  @Override
  public Optional<SessionRecord> findSession(String handle) {
    Objects.requireNonNull(handle, "handle");
    ensureOpen();
    Map<String, String> h = await(redis.hgetall(keys.session(handle)), "read the session");
    return h == null || h.isEmpty() ? Optional.empty() : Optional.of(toRecord(handle, h));
  }

  @Override
  public boolean isSessionLive(String handle, String userId, Instant now) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(now, "now");
    ensureOpen();
    List<KeyValue<String, String>> r =
        await(redis.hmget(keys.session(handle), "u", "e"), "check the session");
    return r.get(0).hasValue()
        && r.get(1).hasValue()
        && r.get(0).getValue().equals(userId)
        && Long.parseLong(r.get(1).getValue()) > now.toEpochMilli();
  }

  @Override
  public Optional<String> findSessionData(String handle, Instant now) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(now, "now");
    ensureOpen();
    List<KeyValue<String, String>> r =
        await(redis.hmget(keys.session(handle), "d", "e"), "read the session data");
    if (!r.get(0).hasValue()
        || !r.get(1).hasValue()
        || Long.parseLong(r.get(1).getValue()) <= now.toEpochMilli()) {
      return Optional.empty();
    }
    return Optional.of(r.get(0).getValue());
  }

  @Override
  public boolean updateSessionData(String handle, String sessionDataJson, Instant now) {
    return updateLive(handle, "d", sessionDataJson, "sessionDataJson", now);
  }

  @Override
  public boolean updateJwtPayload(String handle, String jwtPayloadJson, Instant now) {
    return updateLive(handle, "p", jwtPayloadJson, "jwtPayloadJson", now);
  }

  private boolean updateLive(String handle, String field, String json, String name, Instant now) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(json, name);
    Objects.requireNonNull(now, "now");
    ensureOpen();
    return await(
            integer(
                Script.UPDATE_LIVE,
                keys.session(handle),
                List.of(field, json, Long.toString(now.toEpochMilli()))),
            "update the session")
        == 1L;
  }

  @Override
  public <D extends RefreshDecision> D lockAndDecide(String handle, RefreshRule<D> rule) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(rule, "rule");
    String key = keys.session(handle);
    for (int attempt = 1; ; attempt++) {
      ensureOpen();
      List<Object> read =
          await(multi(Script.READ_WITH_TIME, key, List.of()), "refresh the session");
      Instant now =
          clock != null
              ? clock.instant().truncatedTo(ChronoUnit.MILLIS)
              : serverTime((String) read.get(0), (String) read.get(1));
      Map<String, String> fields = pairs((List<?>) read.get(2));
      SessionRecord current = fields.isEmpty() ? null : toRecord(handle, fields);

      // A RuntimeException from the rule propagates unchanged; nothing has been written.
      D decision = rule.decide(current, now);
      if (decision == null) {
        throw HallpassException.generalError("the refresh decision was null", null);
      }
      RefreshWrite write = decision.write();
      if (write == null) {
        throw HallpassException.generalError("the refresh decision had no write", null);
      }
      decision.beforeWrite();
      if (current == null || write instanceof RefreshWrite.Keep) {
        return decision; // nothing to write: it took effect at the read
      }
      String version = fields.get("v");
      boolean applied;
      if (write instanceof RefreshWrite.Rotate r) {
        applied = rotate(handle, current, fields, version, r, now);
      } else {
        // Theft: recorded first (see recordRevocations), published with the deletion.
        recordRevocations(List.of(handle));
        applied =
            await(
                    integer(
                        Script.DELETE_IF_VERSION,
                        key,
                        List.of(version, keys.revocationChannel(), handle)),
                    "refresh the session")
                == 1L;
        if (applied) {
          forgetIndexes(handle, current.userId(), fields.get("xb"));
        } else {
          unrecord(List.of(handle));
        }
      }
      if (applied) {
        return decision;
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw HallpassException.generalError(
            "the session changed concurrently " + MAX_ATTEMPTS + " times during one refresh", null);
      }
      // Another write won the race: read the new state and decide again.
    }
  }

  /** The compare-and-set of a rotation; false when the session changed since {@code version}. */
  private boolean rotate(
      String handle,
      SessionRecord current,
      Map<String, String> fields,
      String version,
      RefreshWrite.Rotate r,
      Instant now) {
    long expires = r.expiresAt().toEpochMilli();
    List<String> args = new ArrayList<>(24);
    args.add(version);
    args.add(expiryMode());
    args.add(expiryValue(expires + retentionMillis));
    field(args, "cur", r.currentRefreshHash());
    field(args, "par", r.parentRefreshHash());
    field(args, "n", r.childIndex());
    field(args, "i", r.issuedAt().toEpochMilli());
    field(args, "e", expires);
    field(args, "f", "0");
    field(args, "li", optional(r.lastIp()));
    field(args, "lu", optional(r.lastUserAgent()));
    long oldBound = parseLong(fields.get("ib"), Long.MIN_VALUE);
    if (expires + retentionMillis > oldBound) {
      // The index first, as at insertion: the session must not outlive its index entry.
      long bound = indexBound(expires, now.toEpochMilli());
      await(addToUserIndex(current.userId(), handle, bound), "refresh the session");
      field(args, "ib", bound);
    }
    long oldBucket = parseLong(fields.get("xb"), Long.MIN_VALUE);
    long bucket = Keys.bucketOf(expires);
    if (bucket != oldBucket) {
      field(args, "xb", bucket);
    }
    boolean applied =
        await(integer(Script.ROTATE, keys.session(handle), args), "refresh the session") == 1L;
    if (applied && bucket != oldBucket) {
      // Not awaited: a lost re-filing only leaves the deletion to Redis's expiry.
      addToBucket(bucket, handle, expires);
      if (oldBucket != Long.MIN_VALUE) {
        redis.zrem(keys.bucket(oldBucket), handle);
      }
    }
    return applied;
  }

  @Override
  public boolean confirmRefreshToken(String handle, String currentRefreshHash, Instant now) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(currentRefreshHash, "currentRefreshHash");
    Objects.requireNonNull(now, "now");
    ensureOpen();
    return await(
            integer(
                Script.CONFIRM,
                keys.session(handle),
                List.of(currentRefreshHash, Long.toString(now.toEpochMilli()))),
            "confirm the refresh token")
        == 1L;
  }

  @Override
  public boolean deleteSession(String handle) {
    Objects.requireNonNull(handle, "handle");
    return !deleteSessions(List.of(handle)).isEmpty();
  }

  @Override
  public List<String> deleteSessions(Collection<String> handles) {
    Objects.requireNonNull(handles, "handles");
    LinkedHashSet<String> wanted = new LinkedHashSet<>();
    for (String h : handles) {
      wanted.add(Objects.requireNonNull(h, "handle"));
    }
    ensureOpen();
    List<String> deleted = new ArrayList<>();
    List<String> all = new ArrayList<>(wanted);
    for (int from = 0; from < all.size(); from += BATCH) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + BATCH));
      recordRevocations(chunk);
      List<CompletableFuture<List<Object>>> results = new ArrayList<>(chunk.size());
      for (String h : chunk) {
        results.add(multi(Script.DELETE, keys.session(h), List.of(keys.revocationChannel(), h)));
      }
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < chunk.size(); i++) {
        List<Object> r = await(results.get(i), "delete the sessions");
        if (!r.isEmpty()) {
          deleted.add(chunk.get(i)); // in the caller's order
          forgetIndexes(chunk.get(i), (String) r.get(0), (String) r.get(1));
        } else {
          missing.add(chunk.get(i));
        }
      }
      unrecord(missing);
    }
    return deleted;
  }

  @Override
  public List<String> deleteSessionsOfUser(String userId) {
    Objects.requireNonNull(userId, "userId");
    ensureOpen();
    String index = keys.user(userId);
    List<String> handles =
        await(multi(Script.USER_HANDLES, index, List.of("")), "delete the user's sessions");
    List<String> deleted = new ArrayList<>();
    for (int from = 0; from < handles.size(); from += BATCH) {
      List<String> chunk = handles.subList(from, Math.min(handles.size(), from + BATCH));
      recordRevocations(chunk);
      List<CompletableFuture<List<Object>>> results = new ArrayList<>(chunk.size());
      for (String h : chunk) {
        results.add(
            multi(
                Script.DELETE_IF_OWNED,
                keys.session(h),
                List.of(userId, keys.revocationChannel(), h)));
      }
      List<String> drop = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < chunk.size(); i++) {
        List<Object> r = await(results.get(i), "delete the user's sessions");
        String h = chunk.get(i);
        switch ((String) r.get(0)) {
          case "deleted" -> {
            deleted.add(h);
            drop.add(h);
            forgetBucketEntry(h, (String) r.get(1));
          }
          case "other" -> {
            drop.add(h); // a handle never changes owner
            missing.add(h);
          }
          default -> missing.add(h); // maybe an insertion in flight, so the entry stays
        }
      }
      unrecord(missing);
      if (!drop.isEmpty()) {
        redis.zrem(index, drop.toArray(NO_ARGS));
      }
    }
    return deleted;
  }

  @Override
  public List<String> findLiveHandlesOfUser(String userId, Instant now) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(now, "now");
    ensureOpen();
    long nowMillis = now.toEpochMilli();
    String index = keys.user(userId);
    List<String> handles =
        await(
            multi(Script.USER_HANDLES, index, List.of(Long.toString(nowMillis))),
            "list the user's sessions");
    record Live(String handle, long createdAt) {}
    List<Live> live = new ArrayList<>();
    List<String> drop = new ArrayList<>();
    for (int from = 0; from < handles.size(); from += BATCH) {
      List<String> chunk = handles.subList(from, Math.min(handles.size(), from + BATCH));
      List<CompletableFuture<List<KeyValue<String, String>>>> reads = new ArrayList<>();
      for (String h : chunk) {
        reads.add(redis.hmget(keys.session(h), "u", "e", "c").toCompletableFuture());
      }
      for (int i = 0; i < chunk.size(); i++) {
        List<KeyValue<String, String>> r = await(reads.get(i), "list the user's sessions");
        if (!r.get(0).hasValue()) {
          continue; // missing: skipped, pruned once its bound passes
        }
        if (!r.get(0).getValue().equals(userId)) {
          drop.add(chunk.get(i));
        } else if (Long.parseLong(r.get(1).getValue()) > nowMillis) {
          live.add(new Live(chunk.get(i), Long.parseLong(r.get(2).getValue())));
        }
      }
    }
    if (!drop.isEmpty()) {
      redis.zrem(index, drop.toArray(NO_ARGS));
    }
    live.sort(Comparator.comparingLong(Live::createdAt).thenComparing(Live::handle));
    List<String> out = new ArrayList<>(live.size());
    for (Live l : live) {
      out.add(l.handle());
    }
    return out;
  }

  @Override
  public int deleteExpiredSessions(Instant now, int limit) {
    Objects.requireNonNull(now, "now");
    ensureOpen();
    if (limit < 1) {
      return 0;
    }
    long nowMillis = now.toEpochMilli();
    // Older buckets are gone: their sessions expired more than the retention ago.
    long first = Keys.bucketOf(nowMillis - retentionMillis) - 1;
    long last = Keys.bucketOf(nowMillis);
    int deleted = 0;
    for (long b = first; b <= last && deleted < limit; b++) {
      String bucket = keys.bucket(b);
      // Each candidate leaves the bucket's range below: deleted, gone, or re-filed as live.
      for (int round = 0; round < 10_000 && deleted < limit; round++) {
        List<String> page =
            await(
                multi(
                    Script.EXPIRED_IN_BUCKET,
                    bucket,
                    List.of(Long.toString(nowMillis), Integer.toString(limit - deleted))),
                "delete expired sessions");
        if (page.isEmpty()) {
          break;
        }
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < page.size(); i += 2) {
          candidates.add(page.get(i));
        }
        List<CompletableFuture<List<Object>>> results = new ArrayList<>();
        for (String h : candidates) {
          results.add(
              multi(Script.DELETE_IF_EXPIRED, keys.session(h), List.of(Long.toString(nowMillis))));
        }
        List<CompletableFuture<?>> upkeep = new ArrayList<>();
        List<String> leave = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
          String h = candidates.get(i);
          List<Object> r = await(results.get(i), "delete expired sessions");
          switch ((String) r.get(0)) {
            case "deleted" -> {
              deleted++;
              leave.add(h);
              redis.zrem(keys.user((String) r.get(1)), h);
            }
            case "live" -> {
              // Refreshed since it was filed here: file it under its real expiry.
              long expires = Long.parseLong((String) r.get(1));
              upkeep.add(addToBucket(Keys.bucketOf(expires), h, expires));
              if (Keys.bucketOf(expires) != b) {
                leave.add(h);
              }
            }
            default -> leave.add(h);
          }
        }
        if (!leave.isEmpty()) {
          upkeep.add(redis.zrem(bucket, leave.toArray(NO_ARGS)).toCompletableFuture());
        }
        for (CompletableFuture<?> f : upkeep) {
          await(f, "delete expired sessions");
        }
      }
    }
    return deleted;
  }

  // ---------------------------------------------------------------- signing keys

  @Override
  public List<SigningKeyRecord> loadSigningKeys() {
    ensureOpen();
    Map<String, String> all = await(redis.hgetall(keys.signingKeys()), "load the signing keys");
    List<SigningKeyRecord> out = new ArrayList<>();
    for (Map.Entry<String, String> e : all.entrySet()) {
      if (e.getKey().startsWith("g:")) {
        out.add(decodeKey(e.getValue()));
      }
    }
    out.sort(Comparator.comparingLong(SigningKeyRecord::generation));
    return out;
  }

  @Override
  public boolean insertSigningKey(SigningKeyRecord key) {
    Objects.requireNonNull(key, "key");
    ensureOpen();
    long r =
        await(
            integer(
                Script.INSERT_SIGNING_KEY,
                keys.signingKeys(),
                List.of(
                    "g:" + key.generation(),
                    "k:" + key.kid(),
                    Long.toString(key.generation()),
                    encodeKey(key))),
            "insert the signing key");
    if (r < 0) {
      throw HallpassException.generalError("a signing key with this kid exists already", null);
    }
    return r == 1;
  }

  @Override
  public int deleteSigningKeysRetiredBefore(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    ensureOpen();
    Map<String, String> all =
        await(redis.hgetall(keys.signingKeys()), "delete retired signing keys");
    int n = 0;
    for (Map.Entry<String, String> e : all.entrySet()) {
      if (!e.getKey().startsWith("g:")) {
        continue;
      }
      SigningKeyRecord k = decodeKey(e.getValue());
      if (k.signsUntil().isBefore(cutoff)) {
        // Only if unchanged: of two processes deleting it, one counts it.
        n +=
            await(
                    integer(
                        Script.DELETE_SIGNING_KEY,
                        keys.signingKeys(),
                        List.of(e.getKey(), e.getValue(), "k:" + k.kid())),
                    "delete retired signing keys")
                .intValue();
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- revocations

  /**
   * Records revocations before the deletions they announce (the record and a session are in
   * different slots, so not in one step): a process catching up then never misses one whose push it
   * missed. A deletion that does not happen is unrecorded again ({@link #unrecord}).
   */
  private void recordRevocations(List<String> handles) {
    if (handles.isEmpty()) {
      return;
    }
    List<String> args = new ArrayList<>(handles.size() + 1);
    args.add(clock == null ? "now" : Long.toString(clock.millis()));
    args.addAll(handles);
    await(integer(Script.RECORD_REVOCATIONS, keys.revocations(), args), "record the revocations");
  }

  /** Best effort, not awaited: a stale record only makes a catching-up process refuse a dead id. */
  private void unrecord(List<String> handles) {
    if (!handles.isEmpty()) {
      redis.zrem(keys.revocations(), handles.toArray(NO_ARGS));
    }
  }

  @Override
  public Optional<dev.hallpass.spi.RevocationFeed> revocationFeed() {
    return Optional.of(feed);
  }

  /** The feed itself, for tests that cut its connection. */
  RedisRevocationFeed feed() {
    return feed;
  }

  Map<String, Instant> revokedSince(Instant since) {
    Objects.requireNonNull(since, "since");
    ensureOpen();
    List<io.lettuce.core.ScoredValue<String>> r =
        await(
            redis.zrangebyscoreWithScores(
                keys.revocations(),
                io.lettuce.core.Range.create(
                    (double) since.toEpochMilli(), Double.POSITIVE_INFINITY)),
            "read the recent revocations");
    Map<String, Instant> out = new HashMap<>();
    for (io.lettuce.core.ScoredValue<String> v : r) {
      out.put(v.getValue(), Instant.ofEpochMilli((long) v.getScore()));
    }
    return out;
  }

  int deleteRevocationsBefore(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    ensureOpen();
    return await(
            redis.zremrangebyscore(
                keys.revocations(),
                io.lettuce.core.Range.create(
                    Double.NEGATIVE_INFINITY, (double) (cutoff.toEpochMilli() - 1))),
            "prune the revocations")
        .intValue();
  }

  // ---------------------------------------------------------------- re-encryption

  @Override
  public boolean replaceRefreshKey(String handle, String expected, String replacement) {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(replacement, "replacement");
    ensureOpen();
    return await(
            integer(
                Script.REPLACE_IF_EQUAL,
                keys.session(handle),
                List.of("k", expected, replacement, "1")),
            "re-encrypt a stored key")
        == 1L;
  }

  @Override
  public boolean replaceSigningPrivateKey(String kid, String expected, String replacement) {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(replacement, "replacement");
    ensureOpen();
    // The record is one encoded field: compare its private key here, then swap the whole record
    // only if it is still the one read (a compare-and-set on the record, retried if it changed).
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      String generation =
          await(redis.hget(keys.signingKeys(), "k:" + kid), "re-encrypt a stored key");
      if (generation == null) {
        return false;
      }
      String field = "g:" + generation;
      String encoded = await(redis.hget(keys.signingKeys(), field), "re-encrypt a stored key");
      if (encoded == null) {
        return false;
      }
      SigningKeyRecord k = decodeKey(encoded);
      if (!k.kid().equals(kid)
          || !MessageDigest.isEqual(
              k.privateKeyPkcs8().getBytes(StandardCharsets.UTF_8),
              expected.getBytes(StandardCharsets.UTF_8))) {
        return false;
      }
      String replaced =
          encodeKey(
              new SigningKeyRecord(
                  k.kid(),
                  k.generation(),
                  replacement,
                  k.publicKeyX509(),
                  k.createdAt(),
                  k.signsFrom(),
                  k.signsUntil()));
      if (await(
              integer(
                  Script.REPLACE_IF_EQUAL,
                  keys.signingKeys(),
                  List.of(field, encoded, replaced, "")),
              "re-encrypt a stored key")
          == 1L) {
        return true;
      }
    }
    throw HallpassException.generalError(
        "the signing key changed concurrently " + MAX_ATTEMPTS + " times during one replacement",
        null);
  }

  // ---------------------------------------------------------------- life cycle

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      feed.closeAll();
      try {
        link.close();
      } catch (RuntimeException e) {
        throw HallpassException.generalError("cannot close the Redis connection", e);
      }
    }
  }

  @Override
  public String toString() {
    // No URI: it may carry a password. No prefix either: it is configuration, but so are keys.
    return "RedisSessionStore{"
        + (link.isCluster() ? "cluster" : "server")
        + ", refreshClock="
        + (clock == null ? "redis" : "given")
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  // ---------------------------------------------------------------- indexes

  /**
   * When a session's user-index entry may be pruned: after its key is gone for sure (expiry plus
   * retention), plus as long again as the session has left, so that refreshes seldom move it.
   */
  private long indexBound(long expires, long now) {
    return expires + retentionMillis + Math.max(0, expires - now);
  }

  private CompletableFuture<Long> addToUserIndex(String userId, String handle, long bound) {
    return integer(
        Script.INDEX_ADD,
        keys.user(userId),
        List.of(
            handle,
            Long.toString(bound),
            expiryMode(),
            expiryValue(bound),
            // Entries whose bound passed: their sessions are gone. Keeps an active user's index
            // small without the background sweep.
            clock == null ? "now" : Long.toString(clock.millis())));
  }

  private CompletableFuture<Long> addToBucket(long bucket, String handle, long expires) {
    // The bucket lives until its last session's key is gone.
    long until = Keys.bucketEnd(bucket) + retentionMillis;
    return integer(
        Script.INDEX_ADD,
        keys.bucket(bucket),
        List.of(handle, Long.toString(expires), expiryMode(), expiryValue(until), ""));
  }

  /** After a deletion: drops the index entries, without waiting (stale entries are harmless). */
  private void forgetIndexes(String handle, String userId, String bucket) {
    if (userId != null) {
      redis.zrem(keys.user(userId), handle);
    }
    forgetBucketEntry(handle, bucket);
  }

  private void forgetBucketEntry(String handle, String bucket) {
    if (bucket != null) {
      redis.zrem(keys.bucket(Long.parseLong(bucket)), handle);
    }
  }

  /** {@code at} (Redis server's clock) or {@code in} (relative to the given clock). */
  private String expiryMode() {
    return clock == null ? "at" : "in";
  }

  private String expiryValue(long epochMillis) {
    return Long.toString(clock == null ? epochMillis : epochMillis - clock.millis());
  }

  // ---------------------------------------------------------------- plumbing

  private CompletableFuture<Long> integer(Script script, String key, List<String> args) {
    return run(script, ScriptOutputType.INTEGER, key, args);
  }

  private <T> CompletableFuture<List<T>> multi(Script script, String key, List<String> args) {
    return run(script, ScriptOutputType.MULTI, key, args);
  }

  /** Runs a script by digest, loading it on a node that does not know it yet. */
  private <T> CompletableFuture<T> run(
      Script script, ScriptOutputType type, String key, List<String> args) {
    String[] keyArray = {key};
    String[] argArray = args.toArray(NO_ARGS);
    CompletionStage<T> bySha = redis.<T>evalsha(script.sha, type, keyArray, argArray);
    return bySha
        .toCompletableFuture()
        .exceptionallyCompose(
            e ->
                isNoScript(e)
                    ? redis.<T>eval(script.text, type, keyArray, argArray)
                    : CompletableFuture.failedFuture(e));
  }

  private static boolean isNoScript(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RedisNoScriptException
          || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"))) {
        return true;
      }
    }
    return false;
  }

  /** Waits for a command; every failure becomes GENERAL_ERROR with the cause chained. */
  private <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HallpassException.generalError("interrupted while trying to " + what, e);
    } catch (ExecutionException | CompletionException e) {
      throw HallpassException.generalError(
          "cannot " + what, e.getCause() != null ? e.getCause() : e);
    } catch (TimeoutException e) {
      throw HallpassException.generalError("cannot " + what + " (no answer from Redis)", e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw HallpassException.generalError(
          "the session store is closed", new IllegalStateException("closed"));
    }
  }

  private Instant serverTime(String seconds, String micros) {
    return Instant.ofEpochMilli(Long.parseLong(seconds) * 1000 + Long.parseLong(micros) / 1000);
  }

  /** An optional string as a field value: {@code +} and the value, or empty for null. */
  private static String optional(String value) {
    return value == null ? "" : "+" + value;
  }

  private static String optionalOf(String field) {
    return field == null || field.isEmpty() ? null : field.substring(1);
  }

  private static void field(List<String> args, String name, Object value) {
    args.add(name);
    args.add(String.valueOf(value));
  }

  private static Map<String, String> pairs(List<?> flat) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return m;
  }

  private static long parseLong(String s, long missing) {
    return s == null ? missing : Long.parseLong(s);
  }

  private static SessionRecord toRecord(String handle, Map<String, String> h) {
    String issued = h.get("i");
    return new SessionRecord(
        handle,
        h.get("t"),
        h.get("u"),
        h.get("d"),
        h.get("p"),
        Instant.ofEpochMilli(Long.parseLong(h.get("c"))),
        Instant.ofEpochMilli(Long.parseLong(h.get("e"))),
        h.get("k"),
        h.get("cur"),
        h.get("par"),
        issued == null ? null : Instant.ofEpochMilli(Long.parseLong(issued)),
        Integer.parseInt(h.get("n")),
        "1".equals(h.get("f")),
        optionalOf(h.get("ci")),
        optionalOf(h.get("cu")),
        optionalOf(h.get("li")),
        optionalOf(h.get("lu")));
  }

  /** A signing key as one string of length-prefixed fields (kids and keys may hold any text). */
  static String encodeKey(SigningKeyRecord k) {
    StringBuilder sb = new StringBuilder();
    for (String s :
        new String[] {
          k.kid(),
          Long.toString(k.generation()),
          k.privateKeyPkcs8(),
          k.publicKeyX509(),
          Long.toString(k.createdAt().toEpochMilli()),
          Long.toString(k.signsFrom().toEpochMilli()),
          Long.toString(k.signsUntil().toEpochMilli())
        }) {
      sb.append(s.length()).append(':').append(s);
    }
    return sb.toString();
  }

  static SigningKeyRecord decodeKey(String encoded) {
    String[] f = new String[7];
    int at = 0;
    for (int i = 0; i < f.length; i++) {
      int colon = encoded.indexOf(':', at);
      int len = Integer.parseInt(encoded.substring(at, colon));
      f[i] = encoded.substring(colon + 1, colon + 1 + len);
      at = colon + 1 + len;
    }
    return new SigningKeyRecord(
        f[0],
        Long.parseLong(f[1]),
        f[2],
        f[3],
        Instant.ofEpochMilli(Long.parseLong(f[4])),
        Instant.ofEpochMilli(Long.parseLong(f[5])),
        Instant.ofEpochMilli(Long.parseLong(f[6])));
  }
}
