package dev.hallpass.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Slot placement on the Redis Cluster: a session's key by its handle, a user's index apart. */
class RedisClusterSlotsTest {

  private static final TestRedis.Target TARGET = TestRedis.Target.CLUSTER;
  private SessionStore store;

  @BeforeAll
  static void requireCluster() {
    TestRedis.require(TARGET);
  }

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteRunKeys(TARGET);
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private static long slotOf(String key) {
    Long slot = TestRedis.withCommands(TARGET, c -> c.clusterKeyslot(key));
    return slot;
  }

  /** Slot range start to the id of the master serving it. */
  private static TreeMap<Long, String> masters() {
    String nodes = TestRedis.withCommands(TARGET, c -> c.clusterNodes());
    TreeMap<Long, String> byStart = new TreeMap<>();
    for (String line : nodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 9 || !f[2].contains("master")) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        if (!f[i].startsWith("[")) {
          byStart.put(Long.parseLong(f[i].split("-")[0]), f[0]);
        }
      }
    }
    return byStart;
  }

  @Test
  public void oneUsersSessions_spreadOverTheMasters_byHandle_andAreListedAndDeletedTogether() {
    String prefix = TestRedis.newPrefix();
    store = TestRedis.store(TARGET, prefix, null);
    Keys keys = new Keys(prefix);
    Instant now = Instant.now();
    List<String> handles = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String handle = "handle-" + i;
      handles.add(handle);
      store.insertSession(
          SessionRecord.created(
              handle,
              "public",
              "carol",
              "{}",
              "{}",
              now.plusMillis(i),
              now.plusSeconds(600),
              "rk",
              "0".repeat(64)));
    }

    TreeMap<Long, String> masters = masters();
    Set<String> nodesUsed = new HashSet<>();
    for (String h : handles) {
      long slot = slotOf(keys.session(h));
      assertThat(slot).as("the session key's slot is its handle's (hash tag)").isEqualTo(slotOf(h));
      nodesUsed.add(masters.floorEntry(slot).getValue());
    }
    assertThat(nodesUsed)
        .as("sessions on every master")
        .hasSize(masters.values().stream().distinct().toList().size());
    assertThat(slotOf(keys.user("carol"))).isEqualTo(slotOf("carol"));

    assertThat(store.findLiveHandlesOfUser("carol", now)).containsExactlyElementsOf(handles);
    assertThat(store.deleteSessionsOfUser("carol")).containsExactlyInAnyOrderElementsOf(handles);
    assertThat(store.findLiveHandlesOfUser("carol", now)).isEmpty();
    for (String h : handles) {
      assertThat(store.findSession(h)).isEmpty();
    }
  }
}
