package io.parcel.kernel.internal;

import java.util.function.LongSupplier;

/**
 * A token bucket shared by every connection of a download. {@link #reserve} never blocks: it takes the tokens (going
 * into debt if need be) and tells the caller how long to wait, so the caller can wait in a way that cancellation can
 * cut short. Debt makes later callers wait longer, which keeps the sum of all connections at the rate.
 */
final class RateLimiter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long bytesPerSecond;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastRefill;

    /**
     * @param bytesPerSecond the rate, {@code > 0}
     * @param burst          most bytes that may pass at once after an idle spell
     * @param nanoTime       a monotonic time source ({@code System::nanoTime}; tests step their own)
     */
    RateLimiter(long bytesPerSecond, long burst, LongSupplier nanoTime) {
        if (bytesPerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.capacity = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.lastRefill = nanoTime.getAsLong();
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Takes {@code bytes} tokens; returns the nanoseconds the caller must wait before using them (0 for none). */
    synchronized long reserve(long bytes) {
        long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (double) (now - lastRefill) * bytesPerSecond / NANOS_PER_SECOND);
        lastRefill = now;
        tokens -= bytes;
        if (tokens >= 0) {
            return 0;
        }
        return (long) Math.ceil(-tokens * NANOS_PER_SECOND / bytesPerSecond);
    }
}
