package dev.hallpass.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script of the store: its text and SHA-1 digest (for EVALSHA). Every script touches
 * exactly one key, so it runs on one node of a cluster.
 */
final class Script {

  /**
   * Expiry helpers. A time argument comes as a mode and a value: {@code at} and epoch ms (the Redis
   * server's clock, the production setting), or {@code in} and ms from now (a store with a given
   * clock, whose time Redis does not know).
   */
  private static final String EXPIRY_FUNCTIONS =
      """
      local function ttl_of(mode, v)
        if mode == 'in' then return tonumber(v) end
        local t = redis.call('TIME')
        return tonumber(v) - (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
      end
      local function set_expiry(key, mode, v)
        if mode == 'at' then redis.call('PEXPIREAT', key, v) else redis.call('PEXPIRE', key, v) end
      end
      local function extend_expiry(key, mode, v)
        local want = ttl_of(mode, v)
        local cur = redis.call('PTTL', key)
        if cur == -2 or (cur >= 0 and cur >= want) then return end
        if want < 1 then want = 1 end
        redis.call('PEXPIRE', key, want)
      end
      """;

  /** KEYS[1] session; ARGV expiry mode, value, then field/value pairs. 0: the handle exists. */
  static final Script INSERT_SESSION =
      new Script(
          EXPIRY_FUNCTIONS
              + """
              if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
              redis.call('HSET', KEYS[1], unpack(ARGV, 3))
              set_expiry(KEYS[1], ARGV[1], ARGV[2])
              return 1
              """);

  /**
   * KEYS[1] a sorted-set index; ARGV member, score, expiry mode, value, prune-before. Adds the
   * member or raises its score, keeps the index at least until the given time, and drops entries
   * scored before prune-before: {@code now} (the server's time), epoch ms, or '' (none).
   */
  static final Script INDEX_ADD =
      new Script(
          EXPIRY_FUNCTIONS
              + """
              if ARGV[5] ~= '' then
                local cut = ARGV[5]
                if cut == 'now' then
                  local t = redis.call('TIME')
                  cut = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
                end
                redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cut)
              end
              redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
              extend_expiry(KEYS[1], ARGV[3], ARGV[4])
              return 1
              """);

  /**
   * KEYS[1] session. The server's time and the session's fields, read in one atomic step on the
   * node that owns the session: {seconds, microseconds, {field, value, ...}}.
   */
  static final Script READ_WITH_TIME =
      new Script(
          """
          local t = redis.call('TIME')
          return {t[1], t[2], redis.call('HGETALL', KEYS[1])}
          """);

  /**
   * KEYS[1] session; ARGV version, expiry mode, value, then field/value pairs. Writes only if the
   * session is still at that version (compare-and-set); 0 otherwise.
   */
  static final Script ROTATE =
      new Script(
          EXPIRY_FUNCTIONS
              + """
              if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
              redis.call('HSET', KEYS[1], unpack(ARGV, 4))
              redis.call('HINCRBY', KEYS[1], 'v', 1)
              set_expiry(KEYS[1], ARGV[2], ARGV[3])
              return 1
              """);

  /**
   * KEYS[1] session; ARGV version, revocation channel, handle. Deletes it only if it is still at
   * that version, and publishes the handle in the same atomic step; 0 otherwise.
   */
  static final Script DELETE_IF_VERSION =
      new Script(
          """
          if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], ARGV[3])
          return 1
          """);

  /** KEYS[1] session; ARGV field, value, now (ms). Sets the field of a live session. */
  static final Script UPDATE_LIVE =
      new Script(
          """
          local e = redis.call('HGET', KEYS[1], 'e')
          if not e or tonumber(e) <= tonumber(ARGV[3]) then return 0 end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          redis.call('HINCRBY', KEYS[1], 'v', 1)
          return 1
          """);

  /** KEYS[1] session; ARGV current refresh hash, now (ms). */
  static final Script CONFIRM =
      new Script(
          """
          local r = redis.call('HMGET', KEYS[1], 'e', 'cur', 'f')
          if not r[1] or tonumber(r[1]) <= tonumber(ARGV[2]) or r[2] ~= ARGV[1] then return 0 end
          if r[3] ~= '1' then
            redis.call('HSET', KEYS[1], 'f', '1')
            redis.call('HINCRBY', KEYS[1], 'v', 1)
          end
          return 1
          """);

  /**
   * KEYS[1] session; ARGV revocation channel, handle. Deletes it and publishes the handle: {user
   * id, expiry bucket}, or {} when there was none.
   */
  static final Script DELETE =
      new Script(
          """
          local r = redis.call('HMGET', KEYS[1], 'u', 'xb')
          if not r[1] then return {} end
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[1], ARGV[2])
          return r
          """);

  /**
   * KEYS[1] session; ARGV user id, revocation channel, handle. Deletes it and publishes the handle
   * if the user owns it: {'deleted', bucket}, {'other'} or {'gone'}.
   */
  static final Script DELETE_IF_OWNED =
      new Script(
          """
          local r = redis.call('HMGET', KEYS[1], 'u', 'xb')
          if not r[1] then return {'gone'} end
          if r[1] ~= ARGV[1] then return {'other'} end
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], ARGV[3])
          return {'deleted', r[2]}
          """);

  /**
   * KEYS[1] the revocations, a sorted set of handles scored by revocation time (epoch ms); ARGV
   * time ('now': the server's, or epoch ms), then handles. Records them.
   */
  static final Script RECORD_REVOCATIONS =
      new Script(
          """
          local at = ARGV[1]
          if at == 'now' then
            local t = redis.call('TIME')
            at = tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
          end
          for i = 2, #ARGV do redis.call('ZADD', KEYS[1], at, ARGV[i]) end
          return #ARGV - 1
          """);

  /**
   * KEYS[1] session; ARGV now (ms). Deletes it only if it expired at or before now: {'deleted',
   * user id}, {'live', expiry ms} or {'gone'}.
   */
  static final Script DELETE_IF_EXPIRED =
      new Script(
          """
          local r = redis.call('HMGET', KEYS[1], 'e', 'u')
          if not r[1] then return {'gone'} end
          if tonumber(r[1]) > tonumber(ARGV[1]) then return {'live', r[1]} end
          redis.call('DEL', KEYS[1])
          return {'deleted', r[2]}
          """);

  /** KEYS[1] expiry bucket; ARGV now (ms), count. {member, score, ...}, oldest first. */
  static final Script EXPIRED_IN_BUCKET =
      new Script(
          """
          return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
          """);

  /**
   * KEYS[1] user index; ARGV prune-before (ms) or ''. Drops entries whose bound passed, returns the
   * handles.
   */
  static final Script USER_HANDLES =
      new Script(
          """
          if ARGV[1] ~= '' then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1]) end
          return redis.call('ZRANGE', KEYS[1], 0, -1)
          """);

  /**
   * KEYS[1] signing keys; ARGV generation field, kid field, generation, record. 1 stored; 0 the
   * generation exists; -1 the kid exists.
   */
  static final Script INSERT_SIGNING_KEY =
      new Script(
          """
          if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
          if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return -1 end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[4], ARGV[2], ARGV[3])
          return 1
          """);

  /** KEYS[1] signing keys; ARGV generation field, record, kid field. Deletes it if unchanged. */
  static final Script DELETE_SIGNING_KEY =
      new Script(
          """
          if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
          redis.call('HDEL', KEYS[1], ARGV[1], ARGV[3])
          return 1
          """);

  /**
   * KEYS[1] a hash; ARGV field, expected value, replacement, bump-version ('1' or ''). Replaces the
   * field only if it holds exactly the expected value: 1 replaced, 0 not. The values are keys, so
   * they are compared by digest, whose time says nothing about where they differ. Bumping the
   * version makes a concurrent refresh's compare-and-set read the session again.
   */
  static final Script REPLACE_IF_EQUAL =
      new Script(
          """
          local cur = redis.call('HGET', KEYS[1], ARGV[1])
          if not cur or redis.sha1hex(cur) ~= redis.sha1hex(ARGV[2]) then return 0 end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
          if ARGV[4] == '1' then redis.call('HINCRBY', KEYS[1], 'v', 1) end
          return 1
          """);

  final String text;
  final String sha;

  private Script(String text) {
    this.text = text;
    this.sha = sha1Hex(text);
  }

  private static String sha1Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }
}
