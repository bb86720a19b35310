package dev.hallpass.example;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The example's two users. Replace with your user store and a password hash (e.g. Spring Security's
 * PasswordEncoder): Hallpass starts where the password check ends.
 */
@Component
class Users {

  /** A user and the roles that go into the access token. */
  record User(String id, List<String> roles) {}

  private record Account(byte[] password, User user) {}

  private final Map<String, Account> accounts =
      Map.of(
          "alice", new Account(bytes("alice-password"), new User("alice", List.of("USER"))),
          "admin",
              new Account(bytes("admin-password"), new User("admin", List.of("USER", "ADMIN"))));

  /** The user if the password matches (compared in constant time). */
  Optional<User> check(String name, String password) {
    Account a = name == null ? null : accounts.get(name);
    byte[] given = bytes(password == null ? "" : password);
    boolean ok = a != null && MessageDigest.isEqual(a.password(), given);
    return ok ? Optional.of(a.user()) : Optional.empty();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
