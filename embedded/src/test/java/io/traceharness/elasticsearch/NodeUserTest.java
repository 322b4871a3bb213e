package io.traceharness.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a node keeps its files when it runs as user traceharness (the JVM runs as root). */
class NodeUserTest {

  @TempDir
  Path tmp;
  private Path cache;

  @BeforeEach
  void cacheDir() throws IOException {
    // @TempDir is created rwx------, which would put every directory below it out of the node user's reach
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    cache = Files.createDirectory(tmp.resolve("cache"));
  }

  @Test
  void aWorkDirTheNodeUserCanReachStaysWhereItIs() throws IOException {
    Path wanted = Files.createDirectories(tmp.resolve("checkout/target/traceharness")).resolve("elasticsearch-1");

    assertThat(NodeUser.closedDirAbove(wanted)).isEmpty();
    assertThat(NodeUser.placement(wanted, cache)).isEqualTo(wanted);
  }

  @Test
  void aWorkDirBehindAPrivateDirectoryMovesToAStandInPerCheckoutUnderTheCache() throws IOException {
    Path home = privateDir("root");
    Path wanted = Files.createDirectories(home.resolve("checkout/target/traceharness")).resolve("elasticsearch-1");

    Path standIn = NodeUser.placement(wanted, cache);

    assertThat(NodeUser.closedDirAbove(wanted)).contains(home);
    assertThat(standIn.getParent().getParent()).isEqualTo(cache.resolve("nodes"));
    assertThat(standIn.getParent().getFileName().toString()).matches("[0-9a-f]{16}");
    assertThat(standIn.getFileName().toString()).isEqualTo("elasticsearch-1");
    assertThat(NodeUser.placement(wanted, cache)).as("the same checkout's next run").isEqualTo(standIn);
    assertThat(NodeUser.placement(home.resolve("other/target/traceharness/elasticsearch-1"), cache))
        .as("another checkout").isNotEqualTo(standIn);
    assertThat(NodeUser.placement(wanted.resolveSibling("elasticsearch-2"), cache))
        .as("a second node of the same checkout").isNotEqualTo(standIn);
  }

  @Test
  void theStandInIsPrivateAndTheWayToItEnterableButNotListable() throws IOException {
    Path home = privateDir("root");
    Path standIn = NodeUser.placement(home.resolve("target/traceharness/elasticsearch-1"), cache);

    NodeUser.createStandIn(standIn, cache);

    assertThat(mode(standIn)).isEqualTo("rwx------");
    assertThat(mode(standIn.getParent())).isEqualTo("rwx--x--x");
    assertThat(mode(cache.resolve("nodes"))).isEqualTo("rwx--x--x");
    assertThat(NodeUser.closedDirAbove(standIn)).as("the way to the stand-in").isEmpty();
    assertThat(mode(home)).as("the private directory, untouched").isEqualTo("rwx------");
  }

  @Test
  void aSymlinkSomeoneElsePutInTheCacheIsNotWrittenThrough() throws IOException {
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Files.createSymbolicLink(cache.resolve("nodes"), elsewhere);
    Path standIn = NodeUser.placement(privateDir("root").resolve("elasticsearch-1"), cache);

    assertThatThrownBy(() -> NodeUser.createStandIn(standIn, cache))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(cache.resolve("nodes") + " is not a directory (a symlink?)");
    try (var entries = Files.list(elsewhere)) {
      assertThat(entries).as("the symlink's target").isEmpty();
    }
  }

  private Path privateDir(String name) throws IOException {
    return Files.createDirectory(tmp.resolve(name),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
