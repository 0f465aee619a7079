package io.parcel.cli.relay;

import io.parcel.spi.ExitCode;

import static java.util.Objects.requireNonNull;

/** Where a long-running command learns that it should stop: SIGTERM or Ctrl-C in a real process, a call in tests. */
@FunctionalInterface
interface ShutdownSignal {
    /**
     * Runs {@code action} once when the process is asked to stop. Closing the returned handle unregisters it (a no-op
     * once shutdown has begun).
     */
    AutoCloseable onShutdown(Runnable action);

    /**
     * The JVM's shutdown hooks: SIGTERM, SIGINT and normal exit. For a server, being told to stop is its normal end:
     * once {@code action} has run (the server closed, its totals printed) the process exits 0, as service managers
     * and scripts expect, rather than with the JVM's 128 + signal number. A command unregisters before it returns on
     * its own, so its own exit code is never replaced.
     */
    static ShutdownSignal jvm() {
        return action -> {
            requireNonNull(action, "action is null");
            Thread hook = Thread.ofPlatform().name("parcel-shutdown").unstarted(() -> {
                action.run();
                System.err.flush();
                System.out.flush();
                Runtime.getRuntime().halt(ExitCode.SUCCESS.code());
            });
            Runtime.getRuntime().addShutdownHook(hook);
            return () -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // Shutdown is under way: the hook runs (or ran) and cannot be removed any more.
                }
            };
        };
    }
}
