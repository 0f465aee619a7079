package io.parcel.cli.relay;

import io.parcel.kernel.relay.PumpSettings;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options shared by {@code serve} and the tunnels, as a picocli mixin. */
final class PumpOptions {
    @Option(names = "--transport", paramLabel = "NAME", defaultValue = "udt",
            description = "Transport plugin of the long-haul link (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Transport option, e.g. udt.mss=8400; repeatable.")
    Map<String, String> transportOptions = new LinkedHashMap<>();

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "5m",
            converter = RelayConverters.Seconds.class,
            description = "Close a connection after this long without a byte either way (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "512",
            description = "Connections served at once; more are closed at once (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = RelayConverters.Seconds.class,
            description = "Longest wait for each onward connection, host name lookup included (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "1m",
            converter = RelayConverters.Seconds.class,
            description = "Print totals this often while connections come and go; 0 for never (default: ${DEFAULT-VALUE}).")
    Duration statusInterval;

    PumpSettings settings() throws UsageException {
        try {
            return PumpSettings.defaults().withIdleTimeout(idleTimeout).withMaxConnections(maxConnections)
                    .withConnectTimeout(connectTimeout);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    Options transportOptions() {
        return Options.of(transportOptions);
    }
}
