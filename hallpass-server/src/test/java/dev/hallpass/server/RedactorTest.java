package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The credential scrubbing of {@link Redactor}, over the URL shapes of the supported drivers. */
class RedactorTest {
  private static final String PW = "Pw9hunter2Xq";

  private static String scrubbed(String url) {
    return new Redactor(url, List.of()).scrub("failed: " + url);
  }

  @Test
  void userInfo_isMasked_inEveryDriversUrl() {
    assertThat(scrubbed("jdbc:mariadb://bob:" + PW + "@127.0.0.1:1/x"))
        .isEqualTo("failed: jdbc:mariadb://***@127.0.0.1:1/x");
    assertThat(scrubbed("jdbc:mysql://bob:" + PW + "@db:3306/x?ssl=true"))
        .isEqualTo("failed: jdbc:mysql://***@db:3306/x?ssl=true");
    assertThat(scrubbed("jdbc:postgresql://bob:" + PW + "@db/x"))
        .isEqualTo("failed: jdbc:postgresql://***@db/x");
    assertThat(scrubbed("jdbc:mariadb://h1:3306,bob:" + PW + "@h2:3306/x"))
        .isEqualTo("failed: jdbc:mariadb://***@h2:3306/x");
  }

  @Test
  void userAndPasswordParameters_areMasked_keepingTheOthers() {
    assertThat(scrubbed("jdbc:postgresql://db:5432/x?user=bob&password=" + PW + "&ssl=true"))
        .isEqualTo("failed: jdbc:postgresql://db:5432/x?user=***&password=***&ssl=true");
    assertThat(scrubbed("jdbc:postgresql://db/x?password=" + PW))
        .isEqualTo("failed: jdbc:postgresql://db/x?password=***");
    assertThat(scrubbed("jdbc:postgresql://db/x?sslmode=verify-full&sslpassword=" + PW))
        .isEqualTo("failed: jdbc:postgresql://db/x?sslmode=verify-full&sslpassword=***");
    assertThat(scrubbed("jdbc:mariadb://db/x?user=bob&password=" + PW))
        .isEqualTo("failed: jdbc:mariadb://db/x?user=***&password=***");
    assertThat(scrubbed("jdbc:mariadb://db/x?trustStorePassword=" + PW + "&useSsl=true"))
        .isEqualTo("failed: jdbc:mariadb://db/x?trustStorePassword=***&useSsl=true");
    assertThat(
            scrubbed("jdbc:mysql://address=(host=db)(port=3306)(user=bob)(password=" + PW + ")/x"))
        .isEqualTo("failed: jdbc:mysql://address=(host=db)(port=3306)(user=***)(password=***)/x");
    assertThat(scrubbed("jdbc:h2:tcp://db/x;USER=bob;PASSWORD=" + PW + ";MODE=PostgreSQL"))
        .isEqualTo("failed: jdbc:h2:tcp://db/x;USER=***;PASSWORD=***;MODE=PostgreSQL");
    assertThat(scrubbed("jdbc:h2:file:/var/db/x;password = " + PW))
        .isEqualTo("failed: jdbc:h2:file:/var/db/x;password = ***");
  }

  @Test
  void theUrlsPasswords_areMasked_whereverADriverQuotesThem() {
    Redactor r = new Redactor("jdbc:mariadb://bob:" + PW + "@127.0.0.1:1/x", List.of());
    assertThat(r.scrub("Incorrect port value : " + PW + "@127.0.0.1"))
        .isEqualTo("Incorrect port value : ***@127.0.0.1");
    r = new Redactor("jdbc:postgresql://db/x?password=" + PW, List.of());
    assertThat(r.scrub("unknown host " + PW)).isEqualTo("unknown host ***");
    // Percent-encoded in the URL, decoded by the driver.
    r = new Redactor("jdbc:postgresql://db/x?password=p%40ss%2Fw0rd", List.of());
    assertThat(r.scrub("auth failed for p@ss/w0rd and p%40ss%2Fw0rd"))
        .isEqualTo("auth failed for *** and ***");
  }

  @Test
  void otherSecrets_areMasked_andShortOnesOnlyWhereTheyStandAlone() {
    Redactor r =
        new Redactor(null, java.util.Arrays.asList("dbpass-1234", null, "", "ab", KEY_LIKE));
    assertThat(r.scrub("pw dbpass-1234 key " + KEY_LIKE + " x")).isEqualTo("pw *** key *** x");
    assertThat(r.scrub("about ab, tab ab@h")).isEqualTo("about ***, tab ***@h");
  }

  private static final String KEY_LIKE = "abcdefghij0123456789-=";

  @Test
  void textWithoutCredentials_isUnchanged() {
    Redactor r = new Redactor("jdbc:postgresql://db:5432/x", List.of());
    for (String s :
        new String[] {
          "Connection to 127.0.0.1:1 refused",
          "jdbc:postgresql://db:5432/x?ssl=true",
          "password authentication failed for user \"bob\"",
          "mail bob@example.com"
        }) {
      assertThat(r.scrub(s)).isEqualTo(s);
    }
    assertThat(r.scrub(null)).isNull();
  }

  @Test
  void scrubbingStream_scrubsWholeLines_evenWhenASecretIsSplitAcrossWrites() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    Charset cs = Charset.defaultCharset();
    PrintStream out =
        new Redactor("jdbc:postgresql://db/x?password=" + PW, List.of())
            .scrubbing(new PrintStream(sink, true, cs));
    out.print("a: " + PW.substring(0, 5));
    out.flush();
    out.print(PW.substring(5));
    out.println(" b");
    out.println("url jdbc:postgresql://db/x?password=" + PW);
    out.print("no newline " + PW);
    out.close();
    assertThat(sink.toString(cs))
        .isEqualTo(
            "a: *** b"
                + System.lineSeparator()
                + "url jdbc:postgresql://db/x?password=***"
                + System.lineSeparator()
                + "no newline ***");
  }
}
