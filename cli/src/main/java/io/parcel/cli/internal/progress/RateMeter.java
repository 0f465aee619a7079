package io.parcel.cli.internal.progress;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The recent rate of a growing byte count: the slope over a sliding window, so the figure follows changes within
 * a few seconds without jumping at every tick. Not thread-safe; a view owns its meters.
 */
final class RateMeter {
    private static final long WINDOW_NANOS = 3_000_000_000L;
    private static final int MAX_SAMPLES = 256;

    private final Deque<long[]> samples = new ArrayDeque<>();

    /** Records {@code bytes} at {@code nanoTime} (times must not go backwards). */
    void record(long nanoTime, long bytes) {
        samples.addLast(new long[] {nanoTime, bytes});
        while (samples.size() > MAX_SAMPLES
                || samples.size() > 2 && nanoTime - samples.peekFirst()[0] > WINDOW_NANOS) {
            samples.removeFirst();
        }
    }

    /** Bytes per second over the window, or NaN before two samples span any time. */
    double rate() {
        if (samples.size() < 2) {
            return Double.NaN;
        }
        long[] first = samples.peekFirst();
        long[] last = samples.peekLast();
        long nanos = last[0] - first[0];
        if (nanos <= 0) {
            return Double.NaN;
        }
        return Math.max(0, last[1] - first[1]) * 1e9 / nanos;
    }
}
