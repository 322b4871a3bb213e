package io.traceharness.containers;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the {@code fixtures/} module from wherever the build runs (root or a module). */
final class RepositoryFiles {

  private RepositoryFiles() {
  }

  /** The repository root: the nearest directory upwards holding {@code docker-compose.yml}. */
  static Path repositoryRoot() {
    return find(Path.of("docker-compose.yml")).getParent();
  }

  private static Path find(Path relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
