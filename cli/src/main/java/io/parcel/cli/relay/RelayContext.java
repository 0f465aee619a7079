package io.parcel.cli.relay;

import java.time.Clock;

import static java.util.Objects.requireNonNull;

/**
 * What {@code serve} and {@code tunnel} need from the rest of the command line.
 *
 * @param transports opens the transport named by {@code --transport}
 * @param shutdown   tells the command to stop
 * @param logger     where per-connection lines and refusals go
 * @param clock      for the uptime in status lines
 */
record RelayContext(TransportOpener transports, ShutdownSignal shutdown, System.Logger logger, Clock clock) {
    public RelayContext {
        requireNonNull(transports, "transports is null");
        requireNonNull(shutdown, "shutdown is null");
        requireNonNull(logger, "logger is null");
        requireNonNull(clock, "clock is null");
    }

    /** The real process: JVM shutdown hooks, the {@code io.parcel.relay} logger, the system clock. */
    public static RelayContext system(TransportOpener transports) {
        return new RelayContext(transports, ShutdownSignal.jvm(), System.getLogger("io.parcel.relay"),
                Clock.systemUTC());
    }
}
