package io.traceharness.cli;

import io.traceharness.trace.Traces;
import java.net.URI;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where the traces are: {@code --elasticsearch URL} and, optionally, an API key or a user. */
final class ElasticsearchOptions {

  @Option(names = "--elasticsearch", required = true, paramLabel = "URL",
      description = "Elasticsearch holding APM Server or OpenTelemetry-native documents, e.g. http://127.0.0.1:9200"
          + " or an Elastic Cloud deployment's https://…:443")
  URI url;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Credentials credentials;

  static final class Credentials {
    @Option(names = "--api-key", paramLabel = "KEY",
        description = "an API key, as Elasticsearch hands it out (base64) or as id:key")
    String apiKey;

    @ArgGroup(exclusive = false)
    User user;
  }

  static final class User {
    @Option(names = "--user", required = true, paramLabel = "USER", description = "basic authentication user")
    String name;

    @Option(names = "--password", required = true, paramLabel = "PASSWORD", description = "its password")
    String password;
  }

  /** A trace reader for these options; close it when done. A URL that is not one is a usage error. */
  Traces traces(CommandLine commandLine) {
    Traces.Builder b;
    try {
      b = Traces.builder(url);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, "--elasticsearch: " + e.getMessage());
    }
    if (credentials != null && credentials.apiKey != null) {
      b.apiKey(credentials.apiKey);
    } else if (credentials != null && credentials.user != null) {
      b.basicAuth(credentials.user.name, credentials.user.password);
    }
    return b.build();
  }
}
