package io.traceharness.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One node's files: its own config directory (ES_PATH_CONF, a copy of the distribution's
 * {@code config/} with our {@code elasticsearch.yml}), data, logs and tmp, all under the work dir.
 */
record NodeConfig(Path workDir) {

  private static final ObjectMapper JSON = new ObjectMapper();

  Path config() {
    return workDir.resolve("config");
  }

  Path data() {
    return workDir.resolve("data");
  }

  Path logs() {
    return workDir.resolve("logs");
  }

  Path tmp() {
    return workDir.resolve("tmp");
  }

  /** stdout and stderr of the launcher and the server: the CLI's own errors land only here. */
  Path consoleLog() {
    return workDir.resolve("elasticsearch.log");
  }

  Path pidFile() {
    return workDir.resolve("elasticsearch.pid");
  }

  /**
   * The settings that make a quiet single node on loopback: no network.host (so loopback only),
   * explicit ports (two nodes on one machine would otherwise both try 9200/9300), no security
   * (plain HTTP for tests), no disk watermarks (a full CI disk must not turn indices read-only).
   * {@code extra} wins over these.
   */
  static Map<String, String> settings(String clusterName, NodeConfig node, int httpPort, int transportPort,
      Map<String, String> extra) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("cluster.name", clusterName);
    s.put("node.name", clusterName);
    s.put("path.data", node.data().toString());
    s.put("path.logs", node.logs().toString());
    s.put("discovery.type", "single-node");
    s.put("http.port", Integer.toString(httpPort));
    s.put("transport.port", Integer.toString(transportPort));
    s.put("xpack.security.enabled", "false");
    s.put("cluster.routing.allocation.disk.threshold_enabled", "false");
    s.putAll(extra);
    return s;
  }

  /**
   * elasticsearch.yml text: flat dotted keys, every value a double-quoted string (a JSON string is a
   * valid YAML double-quoted scalar; Elasticsearch parses the values itself).
   */
  static String render(Map<String, String> settings) {
    StringBuilder yml = new StringBuilder("# written by traceharness on every start; edits are lost\n");
    settings.forEach((key, value) -> {
      if (!key.matches("[A-Za-z0-9_.\\-]+")) {
        throw new IllegalArgumentException("not an Elasticsearch setting name: " + key);
      }
      try {
        yml.append(key).append(": ").append(JSON.writeValueAsString(value)).append('\n');
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("setting " + key, e);
      }
    });
    return yml.toString();
  }

  /** Creates the directories, copies the distribution's config once, and writes elasticsearch.yml. */
  void prepare(Path esHome, Map<String, String> settings) {
    try {
      for (Path dir : new Path[] {data(), logs(), tmp()}) {
        Files.createDirectories(dir);
      }
      if (!Files.isRegularFile(config().resolve("jvm.options"))) {
        copyTree(esHome.resolve("config"), config());
      }
      Files.writeString(config().resolve("elasticsearch.yml"), render(settings), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the node directory " + workDir, e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
          // the distribution's files are read-only; the node's copy must stay writable for the next start
          target.toFile().setWritable(true, true);
        }
      }
    }
  }
}
