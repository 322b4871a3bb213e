package io.traceharness.containers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.containers.wait.strategy.WaitStrategyTarget;
import org.testcontainers.utility.DockerImageName;

/**
 * Reads what a container would run without starting it: {@code getDockerImageName()} would pull
 * the image (it resolves the image future), so the image name is read from the future itself.
 */
final class Inspect {

  private Inspect() {
  }

  static String image(GenericContainer<?> container) {
    try {
      Field future = container.getImage().getClass().getDeclaredField("imageNameFuture");
      future.setAccessible(true);
      return ((DockerImageName) ((Future<?>) future.get(container.getImage())).get()).asCanonicalNameString();
    } catch (ReflectiveOperationException | InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError("cannot read the image of " + container, e);
    }
  }

  static WaitStrategy waitStrategy(GenericContainer<?> container) {
    try {
      Method getter = GenericContainer.class.getDeclaredMethod("getWaitStrategy");
      getter.setAccessible(true);
      return (WaitStrategy) getter.invoke(container);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot read the wait strategy of " + container, e);
    }
  }

  /** A target whose container ports are mapped to ports on 127.0.0.1, to run wait strategies against local servers. */
  static WaitStrategyTarget loopbackTarget(Map<Integer, Integer> portMapping) {
    return new WaitStrategyTarget() {
      @Override
      public List<Integer> getExposedPorts() {
        return List.copyOf(portMapping.keySet());
      }

      @Override
      public InspectContainerResponse getContainerInfo() {
        return new InspectContainerResponse();
      }

      @Override
      public String getHost() {
        return "127.0.0.1";
      }

      @Override
      public Integer getMappedPort(int originalPort) {
        Integer mapped = portMapping.get(originalPort);
        if (mapped == null) {
          throw new IllegalArgumentException("port " + originalPort + " is not mapped");
        }
        return mapped;
      }

      @Override
      public boolean isRunning() {
        return true;
      }
    };
  }
}
