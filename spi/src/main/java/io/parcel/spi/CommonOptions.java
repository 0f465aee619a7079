package io.parcel.spi;

import java.time.Duration;

/** Option keys every plugin understands the same way. */
public final class CommonOptions {
    /** Longest wait for a connection to be established. */
    public static final OptionKey<Duration> CONNECT_TIMEOUT =
            OptionKey.duration("connect-timeout", Duration.ofSeconds(30), "longest wait for a connection to open");

    /** Longest wait for any single read or write to make progress; a stalled operation fails after it. */
    public static final OptionKey<Duration> IO_TIMEOUT =
            OptionKey.duration("timeout", Duration.ofSeconds(60), "longest wait for a read or write to make progress");

    private CommonOptions() {
    }
}
