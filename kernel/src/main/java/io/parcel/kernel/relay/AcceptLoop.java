package io.parcel.kernel.relay;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static java.lang.System.Logger.Level.WARNING;
import static java.util.Objects.requireNonNull;

/**
 * Accepts on one listener and hands every connection to a {@link PumpGroup}. A platform thread, so a transport whose
 * accept pins its carrier cannot starve the connections' virtual threads. Owns the listener.
 */
final class AcceptLoop implements AutoCloseable {
    /** Accept wakes up this often to notice {@link #close()} even if closing the listener does not unblock it. */
    private static final Duration ACCEPT_POLL = Duration.ofMillis(500);
    /** Pause after an accept failure (e.g. out of file descriptors), so the loop does not spin. */
    private static final Duration FAILURE_PAUSE = Duration.ofMillis(100);

    private final ServerSocket listener;
    private final PumpGroup group;
    private final PumpGroup.Setup setup;
    private final System.Logger logger;
    private final String name;
    private final Thread thread;
    private volatile boolean closed;

    AcceptLoop(String name, ServerSocket listener, PumpGroup group, PumpGroup.Setup setup, System.Logger logger) {
        this.name = requireNonNull(name, "name is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.group = requireNonNull(group, "group is null");
        this.setup = requireNonNull(setup, "setup is null");
        this.logger = requireNonNull(logger, "logger is null");
        this.thread = Thread.ofPlatform().daemon().name("parcel-" + name + "-accept-" + listener.getLocalPort())
                .unstarted(this::run);
    }

    void start() throws IOException {
        listener.setSoTimeout((int) ACCEPT_POLL.toMillis());
        thread.start();
    }

    private void run() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException | RuntimeException e) {
                if (closed || listener.isClosed()) {
                    return;
                }
                logger.log(WARNING, name + ": accept failed: " + PumpGroup.describe(e));
                try {
                    Thread.sleep(FAILURE_PAUSE);
                } catch (InterruptedException interrupted) {
                    return;
                }
                continue;
            }
            group.admit(socket, setup);
        }
    }

    /** Stops accepting: closes the listener and waits (bounded) for the loop to end. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            logger.log(WARNING, name + ": closing the listener failed: " + PumpGroup.describe(e));
        }
        try {
            thread.join(ACCEPT_POLL.multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return thread.isAlive();
    }
}
