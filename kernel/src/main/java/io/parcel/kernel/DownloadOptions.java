package io.parcel.kernel;

import io.parcel.spi.OptionKey;

/**
 * The kernel's own options for a download. They travel in the same {@link io.parcel.spi.Options} as the plugins'
 * options (the source reads e.g. {@code token-file}, the sink {@code dir}), so the command line, a config file and a
 * pipeline file all fill one map.
 */
public final class DownloadOptions {
    public static final OptionKey<String> TRANSPORT = OptionKey.string("transport", "tcp", "transport plugin to connect with");
    public static final OptionKey<String> SOURCE = OptionKey.string("source", "http", "source plugin to read from");
    public static final OptionKey<String> SINK = OptionKey.string("sink", "file", "sink plugin to write to");
    public static final OptionKey<Integer> CONNECTIONS = OptionKey.integer("connections", 8, "parallel connections per file");
    public static final OptionKey<Long> SEGMENT_SIZE = OptionKey.bytes("segment-size", 0,
            "size of the ranges a file is cut into, 0 for the file split evenly across its connections (at least"
                    + " 16 MiB each); idle connections split the largest remaining one");
    public static final OptionKey<Integer> RETRIES = OptionKey.integer("retries", 5,
            "attempts per range after a transient failure, with backoff");
    public static final OptionKey<Long> LIMIT_RATE = OptionKey.bytes("limit-rate", 0,
            "total bytes per second for the whole download, 0 for no limit");
    /**
     * 0 (the default): files share the {@link #CONNECTIONS} connections, so small files run side by side and a large
     * one grows to all of them as the others end; N: N files at once, each with connections of its own.
     */
    public static final OptionKey<Integer> PARALLEL_FILES = OptionKey.integer("parallel-files", 0,
            "files downloaded at once (0: as many as share the connections)");

    private DownloadOptions() {
    }
}
