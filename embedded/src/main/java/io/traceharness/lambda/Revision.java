package io.traceharness.lambda;

import java.nio.file.Path;

/**
 * One revision of a function: its configuration and its code and layers as laid out on disk
 * ({@code generation} counts the layouts). Instances started from an older generation are retired
 * once their current invocation ends, as Lambda replaces execution environments after an update.
 * (Named apart from the stack's public {@code Deployment}, which is a function with its URLs.)
 */
record Revision(FunctionConfig config, int generation, Path taskRoot, Path optDir) {
}
