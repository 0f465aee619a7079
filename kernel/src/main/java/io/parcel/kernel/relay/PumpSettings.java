package io.parcel.kernel.relay;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How {@code parcel serve} and the tunnels treat their connections.
 *
 * @param idleTimeout    a connection with no byte moving either way for this long is closed (the backstop when a
 *                       peer vanishes without a FIN or reset); must be positive
 * @param maxConnections connections served at once; further ones are closed at once and logged
 * @param bufferBytes    copy buffer per direction per connection
 * @param connectTimeout longest wait for the onward connection (upstream, {@code --to})
 * @param closeTimeout   longest wait in {@code close()} for connection threads to end
 */
public record PumpSettings(Duration idleTimeout, int maxConnections, int bufferBytes, Duration connectTimeout,
                           Duration closeTimeout) {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /**
     * What the default 256 MiB heap holds with every connection busy: per connection the two copy buffers (64 KiB)
     * and, over UDT, its least packet memory (two 16-packet chunks, ~70 KiB with the chunk tables and the control's
     * records), 67 MiB for 512, plus the UDT packet pool's budget (a quarter of the heap) and the JVM's own ~40 MiB.
     * At 1,024 with 64 KiB buffers a UDT tunnel pair died of OutOfMemoryError (measured: ~200 KiB per connection).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 512;
    /** Per direction per connection: one read takes what a 500 Mbit/s link delivers in half a millisecond. */
    public static final int DEFAULT_BUFFER_BYTES = 32 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    public PumpSettings {
        requireNonNull(idleTimeout, "idleTimeout is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(closeTimeout, "closeTimeout is null");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1: " + maxConnections);
        }
        if (bufferBytes < 1024) {
            throw new IllegalArgumentException("buffer must be at least 1024 bytes: " + bufferBytes);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connect timeout must be positive and at most 24 days: " + connectTimeout);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("close timeout must not be negative: " + closeTimeout);
        }
    }

    public static PumpSettings defaults() {
        return new PumpSettings(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_BUFFER_BYTES,
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_CLOSE_TIMEOUT);
    }

    public PumpSettings withIdleTimeout(Duration value) {
        return new PumpSettings(value, maxConnections, bufferBytes, connectTimeout, closeTimeout);
    }

    public PumpSettings withMaxConnections(int value) {
        return new PumpSettings(idleTimeout, value, bufferBytes, connectTimeout, closeTimeout);
    }

    public PumpSettings withConnectTimeout(Duration value) {
        return new PumpSettings(idleTimeout, maxConnections, bufferBytes, value, closeTimeout);
    }

    public PumpSettings withCloseTimeout(Duration value) {
        return new PumpSettings(idleTimeout, maxConnections, bufferBytes, connectTimeout, value);
    }
}
