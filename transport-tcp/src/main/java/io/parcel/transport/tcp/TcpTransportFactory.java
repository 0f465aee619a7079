package io.parcel.transport.tcp;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;
import io.parcel.spi.UsageException;
import io.parcel.transport.tcp.internal.TcpConfig;
import io.parcel.transport.tcp.internal.TcpTransport;

import java.time.Duration;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** Makes {@code tcp} transports. Always available: TCP is in every JDK. */
public final class TcpTransportFactory implements TransportFactory {
    public static final String NAME = "tcp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "TCP (the JDK's sockets): TCP_NODELAY, read and write timeouts, optional buffer sizes";
    }

    @Override
    public List<OptionKey<?>> options() {
        return List.of(CommonOptions.CONNECT_TIMEOUT, CommonOptions.IO_TIMEOUT,
                TcpOptions.SEND_BUFFER, TcpOptions.RECEIVE_BUFFER);
    }

    @Override
    public Transport create(Options options, PluginContext context) throws UsageException {
        requireNonNull(options, "options is null");
        requireNonNull(context, "context is null");
        Duration ioTimeout = options.get(CommonOptions.IO_TIMEOUT);
        if (ioTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new UsageException("option '" + CommonOptions.IO_TIMEOUT + "' is too long: " + ioTimeout
                    + " (at most " + Integer.MAX_VALUE + " ms)");
        }
        int sendBuffer = bufferSize(options, TcpOptions.SEND_BUFFER);
        int receiveBuffer = bufferSize(options, TcpOptions.RECEIVE_BUFFER);
        return new TcpTransport(NAME, new TcpConfig(ioTimeout, sendBuffer, receiveBuffer));
    }

    private static int bufferSize(Options options, OptionKey<Long> key) throws UsageException {
        long value = options.get(key);
        if (value > Integer.MAX_VALUE) {
            throw new UsageException("option '" + key + "' is too large: " + value + " (at most 2 GiB - 1)");
        }
        return (int) value;
    }
}
