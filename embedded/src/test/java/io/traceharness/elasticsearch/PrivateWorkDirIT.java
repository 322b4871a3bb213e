package io.traceharness.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.GetResponse;
import io.traceharness.support.Users;
import io.traceharness.support.WorkDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A checkout under {@code /root} (mode 0700 on Debian) or {@code mktemp -d}: as root the node runs
 * as user traceharness, which cannot enter it, and must start all the same.
 */
class PrivateWorkDirIT {

  @Test
  void asRootANodeStartsFromADirectoryItsUserCannotEnterAndItsLogStaysReadable() throws Exception {
    Assumptions.assumeTrue(Users.isRoot(), "only as root does the node run as another user "
        + "(user.name=" + System.getProperty("user.name") + ")");
    Path home = Files.createTempDirectory("traceharness-private-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path wanted = home.resolve("checkout/target/traceharness/elasticsearch-1");
    EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().heap("256m").workDir(wanted).build();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    try {
      // slf4j-simple writes to whatever System.err is at the time
      System.setErr(new PrintStream(new Tee(stderr, log), true, StandardCharsets.UTF_8));
      try {
        es.start();
      } finally {
        System.setErr(stderr);
      }

      Path nodeDir = es.workDir();
      assertThat(nodeDir).as("node directory").startsWith(WorkDirs.cache().resolve("nodes"));
      assertThat(log.toString(StandardCharsets.UTF_8)).as("log of the start")
          .containsPattern("Elasticsearch \\S+ ready at http://127\\.0\\.0\\.1:\\d+ in .*; node directory "
              + java.util.regex.Pattern.quote(nodeDir + ", as user traceharness cannot enter " + home));

      String id = UUID.randomUUID().toString();
      es.client().index(i -> i.index("private-workdir").id(id).document(Map.of("checkout", home.toString()))
          .refresh(Refresh.True));
      GetResponse<Map> doc = es.client().get(g -> g.index("private-workdir").id(id), Map.class);
      assertThat(doc.found()).as("document %s", id).isTrue();
      assertThat(doc.source()).containsEntry("checkout", home.toString());

      assertThat(es.logFile()).as("the log the stack reports").startsWith(nodeDir).isRegularFile();
      assertThat(es.logTail(500)).as("tail of %s", es.logFile()).contains("started");
      assertThat(Files.readSymbolicLink(wanted)).as("what the work dir leads to").isEqualTo(nodeDir);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home)))
          .as("the private directory's mode").isEqualTo("rwx------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nodeDir)))
          .as("the node directory's mode").isEqualTo("rwx------");
      assertThat(Files.getOwner(nodeDir).getName()).isEqualTo(NodeUser.NAME);
    } finally {
      es.close();
      Path nodeDir = es.workDir();
      if (nodeDir.startsWith(WorkDirs.cache().resolve("nodes"))) {
        Distribution.deleteQuietly(nodeDir.getParent());
      }
      Distribution.deleteQuietly(home);
    }
  }

  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
