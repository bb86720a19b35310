package dev.hallpass.spring.boot;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractDataSourceHttpTest} on MariaDB ({@code HALLPASS_TEST_MARIADB_URL}). */
@SpringBootTest(
    webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = AbstractDataSourceHttpTest.App.class)
class MariaDbDataSourceHttpTest extends AbstractDataSourceHttpTest {

  @BeforeAll
  static void serverAnswers() {
    ServerDataSources.MARIADB.require();
  }

  @DynamicPropertySource
  static void dataSource(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", ServerDataSources.MARIADB::url);
  }
}
