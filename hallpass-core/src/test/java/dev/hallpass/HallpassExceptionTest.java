package dev.hallpass;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HallpassExceptionTest {

  @Test
  void isErrorFromAuth_isTrueOnlyForCredentialErrors() {
    assertThat(HallpassException.isErrorFromAuth(HallpassException.unauthorised("x"))).isTrue();
    assertThat(HallpassException.isErrorFromAuth(HallpassException.tryRefreshToken("x"))).isTrue();
    assertThat(HallpassException.isErrorFromAuth(HallpassException.tokenTheftDetected("u", "h")))
        .isTrue();
    assertThat(
            HallpassException.isErrorFromAuth(
                HallpassException.generalError("db down", new RuntimeException())))
        .isFalse();
    assertThat(HallpassException.isErrorFromAuth(new IllegalStateException())).isFalse();
    assertThat(HallpassException.isErrorFromAuth(null)).isFalse();
  }

  @Test
  void types_carryTheSuperTokensCodes_andTheftCarriesUserAndHandle() {
    assertThat(HallpassException.Type.GENERAL_ERROR.code()).isEqualTo(1000);
    assertThat(HallpassException.Type.UNAUTHORISED.code()).isEqualTo(2000);
    assertThat(HallpassException.Type.TRY_REFRESH_TOKEN.code()).isEqualTo(3000);
    assertThat(HallpassException.Type.TOKEN_THEFT_DETECTED.code()).isEqualTo(4000);
    HallpassException theft = HallpassException.tokenTheftDetected("alice", "h1");
    assertThat(theft.getUserId()).isEqualTo("alice");
    assertThat(theft.getSessionHandle()).isEqualTo("h1");
  }

  @Test
  void sessionTokens_toString_redactsEveryToken() {
    SessionTokens t =
        new SessionTokens(
            "ACCESS-SECRET", Instant.EPOCH, "REFRESH-SECRET", Instant.EPOCH, "CSRF-SECRET");
    assertThat(t.toString()).doesNotContain("SECRET").contains("redacted");
  }
}
