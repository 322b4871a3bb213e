package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code user_agent} step of elasticsearch's {@code apm@pipeline.yaml}, for the user agents
 * the harness meets: the ingest user_agent processor (ua-parser's regexes) writes
 * {@code user_agent.name}, {@code version}, {@code os.name}/{@code version}/{@code full} and
 * {@code device.name}; what it cannot classify is name {@code Other} and device {@code Other},
 * without version or os. This is a small subset of those regexes (major browsers, curl), checked
 * against the values in apm-server {@code systemtest/approvals/TestIntake/Transactions.approved.json}.
 */
final class UserAgents {

  private record Browser(String name, Pattern pattern) {
  }

  // order matters as in ua-parser: Edge and Opera also say Chrome, Chrome also says Safari
  private static final List<Browser> BROWSERS = List.of(
      new Browser("Edge", Pattern.compile("Edg(?:e|A|iOS)?/(\\d+(?:\\.\\d+)*)")),
      new Browser("Opera", Pattern.compile("OPR/(\\d+(?:\\.\\d+)*)")),
      new Browser("Chrome", Pattern.compile("Chrome/(\\d+(?:\\.\\d+)*)")),
      new Browser("Firefox", Pattern.compile("Firefox/(\\d+(?:\\.\\d+)*)")),
      new Browser("Safari", Pattern.compile("Version/(\\d+(?:\\.\\d+)*).*Safari/")),
      new Browser("curl", Pattern.compile("^curl/(\\d+(?:\\.\\d+)*)")));

  private static final Pattern MAC = Pattern.compile("Mac OS X (\\d+)[_.](\\d+)(?:[_.](\\d+))?");
  private static final Pattern WINDOWS = Pattern.compile("Windows NT (\\d+\\.\\d+)");
  private static final Pattern IOS = Pattern.compile("(?:iPhone|CPU) OS (\\d+)_(\\d+)(?:_(\\d+))?");
  private static final Pattern ANDROID = Pattern.compile("Android (\\d+(?:\\.\\d+)*)");

  private UserAgents() {
  }

  /** Writes the parsed fields into {@code target} (the {@code user_agent} object). */
  static void parse(String original, ObjectNode target) {
    String name = "Other";
    String version = null;
    for (Browser b : BROWSERS) {
      Matcher m = b.pattern().matcher(original);
      if (m.find()) {
        name = b.name();
        version = m.group(1);
        break;
      }
    }
    target.put("name", name);
    if (version != null) {
      target.put("version", version);
    }
    String device = "Other";
    String osName = null;
    String osVersion = null;
    Matcher m;
    if ((m = IOS.matcher(original)).find()) {
      osName = "iOS";
      osVersion = join(m);
      device = original.contains("iPad") ? "iPad" : "iPhone";
    } else if ((m = MAC.matcher(original)).find()) {
      osName = "Mac OS X";
      osVersion = join(m);
      device = "Mac";
    } else if ((m = WINDOWS.matcher(original)).find()) {
      osName = "Windows";
      osVersion = switch (m.group(1)) {
        case "10.0" -> "10";
        case "6.3" -> "8.1";
        case "6.2" -> "8";
        case "6.1" -> "7";
        default -> null;
      };
    } else if ((m = ANDROID.matcher(original)).find()) {
      osName = "Android";
      osVersion = m.group(1);
    } else if (original.contains("Linux")) {
      osName = "Linux";
    }
    if (osName != null) {
      ObjectNode os = target.putObject("os");
      os.put("name", osName);
      if (osVersion != null) {
        os.put("version", osVersion);
        os.put("full", osName + " " + osVersion);
      } else {
        os.put("full", osName);
      }
    }
    target.putObject("device").put("name", device);
  }

  private static String join(Matcher m) {
    StringBuilder b = new StringBuilder(m.group(1)).append('.').append(m.group(2));
    if (m.group(3) != null) {
      b.append('.').append(m.group(3));
    }
    return b.toString();
  }
}
