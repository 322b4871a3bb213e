package io.traceharness.cli;

import picocli.CommandLine;

/** {@code --version}: the jar's version, and the versions of the components it runs or emulates. */
final class Version implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = Cli.class.getPackage().getImplementationVersion();
    return new String[] {
        "traceharness " + (version == null ? "(not run from its jar)" : version),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
  }
}
