package io.parcel.kernel.internal;

import java.time.Duration;

/**
 * The download pipeline's fixed knobs, the ones users do not set. Tests shrink them to keep runs short.
 *
 * @param initialBackoff   wait after the first transient failure of a range; doubles after each further one
 * @param maxBackoff       the longest wait between two attempts
 * @param minSplit         an in-flight range with fewer bytes than this left is not split for an idle connection
 * @param markInterval     bytes a connection writes before it hands them over to be recorded durably (a crash
 *                         loses at most about twice this much per connection, besides the ranges in flight)
 * @param markPeriod       longest time written bytes stay unrecorded on a slow link
 * @param bufferSize       bytes per read
 */
record PipelineTuning(Duration initialBackoff, Duration maxBackoff, long minSplit, long markInterval,
                      Duration markPeriod, int bufferSize) {
    PipelineTuning {
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be 0 <= initial <= max");
        }
        if (minSplit <= 0 || markInterval <= 0 || bufferSize <= 0 || markPeriod.isNegative()) {
            throw new IllegalArgumentException("sizes must be positive");
        }
    }

    static PipelineTuning defaults() {
        // A connection hands over what it wrote every 4 MiB; the file's thread records it (forces) in batches, and
        // a kill loses at most about two such pieces per connection besides the ranges in flight.
        // 512 KiB reads: a quarter of the system calls of 128 KiB ones, measurably less CPU per GiB on loopback;
        // the buffer is on the heap once per connection.
        return new PipelineTuning(Duration.ofMillis(250), Duration.ofSeconds(8), 1L << 20, 4L << 20,
                Duration.ofSeconds(1), 512 << 10);
    }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1), with jitter in [50%, 100%]. */
    long backoffNanos(int attempt, double random) {
        long base = initialBackoff.toNanos();
        long max = maxBackoff.toNanos();
        long delay = base;
        for (int i = 1; i < attempt && delay < max; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, max);
        return (long) (delay * (0.5 + 0.5 * random));
    }
}
