package io.traceharness.elasticsearch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that starts a node, prints {@code PIDS <server> <launcher> …} (every process of the node,
 * up to but excluding itself) and waits to be killed: {@link EmbeddedElasticsearchIT} kills it
 * with SIGKILL and checks that the node goes with it.
 */
public final class ElasticsearchKillProbe {

  private ElasticsearchKillProbe() {
  }

  public static void main(String[] args) throws InterruptedException {
    EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().heap("256m").workDir(Path.of(args[0])).build().start();
    List<Long> pids = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    for (Optional<ProcessHandle> h = ProcessHandle.of(es.pid()); h.isPresent() && h.get().pid() != self;
        h = h.get().parent()) {
      pids.add(h.get().pid());
    }
    System.out.println("PIDS " + String.join(" ", pids.stream().map(String::valueOf).toList()));
    System.out.flush();
    // nothing counts it down: the JVM is killed while it waits
    new CountDownLatch(1).await();
  }
}
