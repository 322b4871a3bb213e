package io.traceharness.collector;

/**
 * The collector's share of a frozen Lambda execution environment: while paused, its batch timers
 * and exporters wait here, so a batch due to leave stalls, and so does an export in flight, until the
 * next invocation thaws the environment.
 */
final class FreezeGate {

  private boolean paused;

  synchronized void pause() {
    paused = true;
  }

  synchronized void resume() {
    paused = false;
    notifyAll();
  }

  synchronized boolean paused() {
    return paused;
  }

  /** Returns at once unless paused; then when resumed. */
  synchronized void pass() throws InterruptedException {
    while (paused) {
      wait();
    }
  }
}
