package io.traceharness.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.traceharness.trace.Trace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Opens the report in headless Chromium (Debian's {@code chromium}; {@code .ci/run} installs it)
 * and checks that its script drew the waterfall and the service map. The screenshot stays under
 * {@code target/traceharness/report/}.
 */
class TraceReportBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static Path html;
  private static Path dir;
  private static Trace trace;

  @BeforeAll
  static void writeReport() throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is not installed (apt-get install chromium; .ci/run does)");
    try (InputStream in = TraceReportBrowserIT.class.getResourceAsStream("/io/traceharness/trace/apm-trace.ndjson")) {
      trace = Trace.parse("4bf92f3577b34da6a3ce929d0e0e4736",
          Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
    }
    dir = Path.of(System.getProperty("traceharness.workDir", "target/traceharness")).toAbsolutePath().resolve("report");
    html = TraceReport.builder().title("Blog scenario").trace(trace).build().writeTo(dir.resolve("report.html"));
  }

  @Test
  void chromiumRendersTheWaterfallTheMapAndTheTable() throws Exception {
    String dom = chromium("--dump-dom", html.toUri().toString());

    assertThat(dom).contains("data-rendered-spans=\"" + trace.size() + "\"")
        .contains("data-rendered-services=\"" + trace.services().size() + "\"")
        .contains("data-rendered-edges=\"2\"");
    assertThat(dom).contains("class=\"row wf-row\"").contains("client-top-level").contains("GET /ping");
    assertThat(dom).contains("<svg").contains("data-service=\"producer\"");
    assertThat(dom).contains("id=\"services-table\"");
  }

  @Test
  void theRunReportDrawsAnOpenedTraceWithTheTraceReportsOwnPage() throws Exception {
    io.traceharness.diagnosis.Diagnosis diagnosis =
        io.traceharness.diagnosis.Diagnosis.of(io.traceharness.diagnosis.Evidence.builder(trace).build());
    Path page = RunReport.builder().title("run")
        .entry(new RunReport.Entry("BlogIT", "fails()", RunReport.Outcome.FAILED, "expected a path",
            List.of(RunReport.shown(trace, "asserted", diagnosis)), List.of()))
        .entry(new RunReport.Entry("BlogIT", "passes()", RunReport.Outcome.PASSED, null,
            List.of(RunReport.shown(trace, "awaited", diagnosis)), List.of()))
        .build().writeTo(dir.resolve("run-report.html"));

    String dom = chromium("--dump-dom", page.toUri().toString());

    // a failed test's traces are open, and drawn; a passed test's wait until opened
    assertThat(dom).contains("data-key=\"0-0\" open=\"\" data-rendered-spans=\"" + trace.size() + "\"");
    assertThat(dom).containsOnlyOnce("data-rendered-spans=");
  }

  @Test
  void theScreenshotShowsAPage() throws Exception {
    Path png = dir.resolve("report.png");
    Files.deleteIfExists(png);
    chromium("--screenshot=" + png, "--window-size=1400,900", html.toUri().toString());

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1400);
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 7) {
      for (int x = 0; x < image.getWidth(); x += 7) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertThat(colours).as("distinct colours in the screenshot: a blank page has one").hasSizeGreaterThan(20);
  }

  private static String chromium(String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--user-data-dir=" + profile, "--virtual-time-budget=3000"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("chromium", ".out");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 60 s: " + cmd);
    }
    assertThat(p.exitValue()).as("chromium exit code").isZero();
    return Files.readString(out);
  }
}
