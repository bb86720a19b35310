package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.spi.RefreshWrite;
import dev.hallpass.spi.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rotation rules as a table: each state and presented token gives one decision value. */
class RefresherTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration VALIDITY = Duration.ofDays(100);
  private static final byte[] KEY = new byte[32];
  private static final byte[] HANDLE = new byte[16];
  private final Refresher refresher = new Refresher(GRACE, VALIDITY, false);

  private static String token(byte[] secret) {
    return RefreshTokens.encode(KEY, HANDLE, secret);
  }

  private static String hash(String token) {
    return Crypto.sha256Hex(token);
  }

  private static final String P = token(new byte[32]);
  private static final String C =
      token(RefreshTokens.childSecret(KEY, RefreshTokens.parse(P).secret, 0));
  private static final String OLDER =
      token(
          new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
          });

  /** C issued for P at T0, confirmed or not. */
  private static SessionRecord rotated(boolean confirmed) {
    return new SessionRecord(
        RefreshTokens.handle(HANDLE),
        "public",
        "alice",
        "{}",
        "{}",
        T0,
        T0.plus(VALIDITY),
        Crypto.B64URL.encodeToString(KEY),
        hash(C),
        hash(P),
        T0,
        0,
        confirmed);
  }

  private Refresher.Verdict present(SessionRecord s, Instant now, String token) {
    return refresher.refresh(s, now, RefreshTokens.parse(token), hash(token), null, false);
  }

  @Test
  void current_rotatesToItsFirstChild_unconfirmed() {
    Instant now = T0.plusSeconds(5);
    Refresher.Issue issue = (Refresher.Issue) present(rotated(false), now, C);

    assertThat(issue.rule()).isEqualTo(Refresher.Rule.ROTATED);
    assertThat(issue.parentHash()).isEqualTo(hash(C));
    assertThat(issue.write())
        .isEqualTo(
            new RefreshWrite.Rotate(
                hash(issue.refreshToken()), hash(C), 0, now, now.plus(VALIDITY)));
  }

  @Test
  void decisions_arePureValues_equalForEqualInputs() {
    Instant now = T0.plusSeconds(31);
    assertThat(present(rotated(false), now, P)).isEqualTo(present(rotated(false), now, P));
    assertThat(present(rotated(false), now, C)).isEqualTo(present(rotated(false), now, C));
  }

  @Test
  void parentWithinGrace_answersTheCurrentChild_andWritesNothing() {
    Refresher.Issue issue =
        (Refresher.Issue) present(rotated(true), T0.plus(GRACE).minusMillis(1), P);

    assertThat(issue.rule()).isEqualTo(Refresher.Rule.SAME_CHILD);
    assertThat(issue.refreshToken()).isEqualTo(C);
    assertThat(issue.write()).isEqualTo(RefreshWrite.KEEP);
  }

  @Test
  void parentAfterGrace_withUnusedChild_getsANewChildReplacingIt() {
    Instant now = T0.plus(GRACE);
    Refresher.Issue issue = (Refresher.Issue) present(rotated(false), now, P);

    assertThat(issue.rule()).isEqualTo(Refresher.Rule.NEW_CHILD);
    assertThat(issue.refreshToken()).isNotEqualTo(C);
    assertThat(issue.write())
        .isEqualTo(
            new RefreshWrite.Rotate(
                hash(issue.refreshToken()), hash(P), 1, now, now.plus(VALIDITY)));
  }

  @Test
  void parentAfterGrace_withUsedChild_isTheft() {
    assertThat(present(rotated(true), T0.plus(GRACE), P))
        .isEqualTo(new Refresher.Theft("alice", RefreshTokens.handle(HANDLE)));
  }

  @Test
  void tokenOlderThanTheParent_isTheft_evenWithinGrace() {
    assertThat(present(rotated(false), T0, OLDER)).isInstanceOf(Refresher.Theft.class);
    assertThat(present(rotated(false), T0, OLDER).write()).isEqualTo(RefreshWrite.DELETE);
  }

  @Test
  void expiredOrMissingOrForged_isRefused_onlyExpiredIsDeleted() {
    assertThat(present(rotated(false), T0.plus(VALIDITY), C).write())
        .isEqualTo(RefreshWrite.DELETE);
    assertThat(present(null, T0, C))
        .isEqualTo(new Refresher.Refuse("refresh token is not valid", RefreshWrite.KEEP));
    String forged = RefreshTokens.encode(new byte[] {9}, HANDLE, RefreshTokens.parse(C).secret);
    assertThat(present(rotated(false), T0, forged))
        .isEqualTo(new Refresher.Refuse("refresh token is not valid", RefreshWrite.KEEP));
  }

  @Test
  void accessTokenCheck_followsTheConfirmationRules() {
    SessionRecord s = rotated(false);
    String replaced = hash(token(new byte[32]).replace('A', 'B'));

    assertThat(refresher.check(s, T0, "alice", hash(P), "older")).isEqualTo(new Refresher.Accept());
    assertThat(refresher.check(s, T0, "alice", replaced, hash(P)))
        .isEqualTo(new Refresher.ForkedLineage("alice", s.handle()));
    assertThat(refresher.check(s, T0, "alice", replaced, "older"))
        .isEqualTo(new Refresher.Reject(false));
    assertThat(refresher.check(s, T0, "mallory", hash(P), "older"))
        .isEqualTo(new Refresher.Reject(true));
    assertThat(refresher.check(null, T0, "alice", hash(P), "older"))
        .isEqualTo(new Refresher.Reject(true));
  }
}
