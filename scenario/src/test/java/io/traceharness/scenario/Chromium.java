package io.traceharness.scenario;

import io.traceharness.support.ChildProcess;
import io.traceharness.support.Ports;
import io.traceharness.support.WorkDirs;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * Debian's headless {@code chromium} driven through its {@code chromedriver} ({@code .ci/run}
 * installs both). The driver runs as a {@link ChildProcess}, so it and the browsers it starts end
 * with the test JVM, even on SIGKILL.
 */
final class Chromium implements AutoCloseable {

  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private final ChildProcess driverProcess;
  private final RemoteWebDriver driver;

  private Chromium(ChildProcess driverProcess, RemoteWebDriver driver) {
    this.driverProcess = driverProcess;
    this.driver = driver;
  }

  /** Why no browser test can run here, or {@code null} when one can. */
  static String unavailableReason() {
    if (!Files.isExecutable(BROWSER)) {
      return "Debian's chromium is not installed (apt-get install chromium chromium-driver; .ci/run does)";
    }
    if (!Files.isExecutable(DRIVER)) {
      return "Debian's chromedriver is not installed (apt-get install chromium-driver; .ci/run does)";
    }
    return null;
  }

  static Chromium start(int width, int height) {
    int port = Ports.free();
    ChildProcess process = ChildProcess.builder("chromedriver")
        .command(List.of(DRIVER.toString(), "--port=" + port))
        .logFile(WorkDirs.root().resolve("logs").resolve("chromedriver.log"))
        .start();
    try {
      Awaitility.await("chromedriver listening on " + port).atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100)).until(() -> Ports.isListening(port) || !process.isAlive());
      if (!process.isAlive()) {
        throw new IllegalStateException("chromedriver exited: " + process.logTail(20));
      }
      ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile())
          .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
              "--window-size=" + width + "," + height);
      RemoteWebDriver driver = new RemoteWebDriver(URI.create("http://127.0.0.1:" + port).toURL(), options);
      return new Chromium(process, driver);
    } catch (MalformedURLException | RuntimeException e) {
      process.close();
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
  }

  RemoteWebDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      driverProcess.close();
    }
  }
}
