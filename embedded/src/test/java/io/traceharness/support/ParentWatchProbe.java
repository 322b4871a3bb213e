package io.traceharness.support;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code exec:exec} starts, cut down: a JVM that watches its parent and runs a child process
 * ({@code sleep 600}), prints {@code PIDS <this JVM> <watchdog> <sleep>} and waits.
 * {@link ParentWatchIT} kills its parent with SIGKILL and checks that all three go.
 */
public final class ParentWatchProbe {

  private ParentWatchProbe() {
  }

  public static void main(String[] args) throws InterruptedException {
    ParentWatch.exitWhenParentDies();
    ChildProcess child = ChildProcess.builder("parent-watch-sleep").command(List.of("sleep", "600"))
        .logFile(Path.of(args[0])).start();
    ProcessHandle sleep = await("sleep 600 under watchdog " + child.pid()).atMost(Duration.ofSeconds(10))
        .until(() -> child.process().descendants().filter(ParentWatchProbe::isSleep600).findFirst(),
            Optional::isPresent)
        .orElseThrow();
    System.out.println("PIDS " + ProcessHandle.current().pid() + " " + child.pid() + " " + sleep.pid());
    System.out.flush();
    // nothing ever releases this: the probe lives until ParentWatch ends it or the test kills it
    new java.util.concurrent.CountDownLatch(1).await();
  }

  private static boolean isSleep600(ProcessHandle h) {
    ProcessHandle.Info info = h.info();
    return info.command().orElse("").endsWith("sleep")
        && List.of("600").equals(info.arguments().map(List::of).orElse(List.of()));
  }
}
