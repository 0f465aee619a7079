package io.parcel.kernel.internal;

import java.time.Duration;

import io.parcel.kernel.DownloadOptions;
import io.parcel.spi.CommonOptions;
import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;

/** The kernel's download options, parsed and checked once, before anything is transferred. */
record DownloadSettings(String transport, String source, String sink, int connections, long segmentSize, int retries,
                        long limitRate, int parallelFiles, Duration connectTimeout, Duration ioTimeout) {
    static final int MAX_CONNECTIONS = 256;
    static final int MAX_PARALLEL_FILES = 64;
    static final int MAX_RETRIES = 1000;
    static final long MIN_SEGMENT_SIZE = 64L << 10;
    /** Automatic segments are no smaller than this, so a small file is not cut into many tiny requests. */
    static final long AUTO_MIN_SEGMENT_SIZE = 16L << 20;

    static DownloadSettings from(Options options) throws UsageException {
        return new DownloadSettings(
                name(options, DownloadOptions.TRANSPORT),
                name(options, DownloadOptions.SOURCE),
                name(options, DownloadOptions.SINK),
                within(options, DownloadOptions.CONNECTIONS, 1, MAX_CONNECTIONS),
                segmentSize(options),
                within(options, DownloadOptions.RETRIES, 0, MAX_RETRIES),
                atLeast(options, DownloadOptions.LIMIT_RATE, 0),
                within(options, DownloadOptions.PARALLEL_FILES, RunningDownload.SHARED_CONNECTIONS, MAX_PARALLEL_FILES),
                positive(options, CommonOptions.CONNECT_TIMEOUT),
                positive(options, CommonOptions.IO_TIMEOUT));
    }

    private static String name(Options options, OptionKey<String> key) throws UsageException {
        String value = options.get(key);
        if (value == null || value.isBlank()) {
            throw new UsageException("option '" + key.name() + "' must name a plugin");
        }
        return value.trim();
    }

    private static int within(Options options, OptionKey<Integer> key, int min, int max) throws UsageException {
        int value = options.get(key);
        if (value < min || value > max) {
            throw new UsageException("option '" + key.name() + "' must be between " + min + " and " + max + ": " + value);
        }
        return value;
    }

    /** 0 (automatic, see {@link #segmentSizeFor}) or at least {@link #MIN_SEGMENT_SIZE}. */
    private static long segmentSize(Options options) throws UsageException {
        long value = options.get(DownloadOptions.SEGMENT_SIZE);
        if (value != 0 && value < MIN_SEGMENT_SIZE) {
            throw new UsageException("option '" + DownloadOptions.SEGMENT_SIZE.name() + "' must be 0 (automatic) or at"
                    + " least " + MIN_SEGMENT_SIZE + ": " + value);
        }
        return value;
    }

    /**
     * The size {@code remaining} bytes are cut into for {@code connections} connections. Automatic: one piece per
     * connection, like aria2's -s, because every piece costs a new request and a new connection whose congestion
     * window starts small again (on a long lossy path that restart costs seconds); work stealing balances the tail.
     */
    long segmentSizeFor(long remaining, int connections) {
        if (segmentSize != 0) {
            return segmentSize;
        }
        long parts = Math.max(1, connections);
        long even = remaining / parts + (remaining % parts == 0 ? 0 : 1);
        long aligned = (even + MIN_SEGMENT_SIZE - 1) / MIN_SEGMENT_SIZE * MIN_SEGMENT_SIZE;
        return Math.max(AUTO_MIN_SEGMENT_SIZE, aligned);
    }

    private static long atLeast(Options options, OptionKey<Long> key, long min) throws UsageException {
        long value = options.get(key);
        if (value < min) {
            throw new UsageException("option '" + key.name() + "' must be at least " + min + ": " + value);
        }
        return value;
    }

    private static Duration positive(Options options, OptionKey<Duration> key) throws UsageException {
        Duration value = options.get(key);
        if (value == null || value.isZero() || value.isNegative()) {
            throw new UsageException("option '" + key.name() + "' must be a positive duration: " + value);
        }
        return value;
    }
}
