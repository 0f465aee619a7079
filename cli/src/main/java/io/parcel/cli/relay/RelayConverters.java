package io.parcel.cli.relay;

import io.parcel.kernel.relay.HostPort;
import io.parcel.spi.OptionKey;
import io.parcel.spi.UsageException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetSocketAddress;
import java.time.Duration;

/** Value syntax of the relay commands, the same as everywhere else in {@code parcel}. */
final class RelayConverters {
    private static final OptionKey<Duration> DURATION = OptionKey.duration("duration", Duration.ZERO, "a duration");

    private RelayConverters() {
    }

    /** "HOST:PORT" or "[IPV6]:PORT"; the host is not resolved here. */
    static final class Target implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String text) {
            try {
                return HostPort.parse(text, "HOST:PORT");
            } catch (UsageException e) {
                throw new TypeConversionException("'" + text + "' is not HOST:PORT or [IPV6]:PORT");
            }
        }
    }

    /** "[HOST:]PORT": a bare or ":"-prefixed port listens on every address; a host is resolved now; port 0 picks one. */
    static final class Listen implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String text) {
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                    throw new TypeConversionException("'" + text + "': write an IPv6 address as [::1]:9000");
                }
                host = text.substring(1, close);
                port = text.substring(close + 2);
            } else {
                int colon = text.lastIndexOf(':');
                host = colon < 0 ? "" : text.substring(0, colon);
                port = text.substring(colon + 1);
                if (host.contains(":")) {
                    throw new TypeConversionException("'" + text + "': write an IPv6 address as [::1]:9000");
                }
            }
            int number = parsePort(port, text);
            if (host.isEmpty()) {
                return new InetSocketAddress(number);
            }
            InetSocketAddress resolved = new InetSocketAddress(host, number);
            if (resolved.isUnresolved()) {
                throw new TypeConversionException("cannot resolve '" + host + "' to listen on");
            }
            return resolved;
        }

        private static int parsePort(String port, String text) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(port) > 65535) {
                throw new TypeConversionException("'" + text + "' is not [HOST:]PORT with a port from 0 to 65535");
            }
            return Integer.parseInt(port);
        }
    }

    /** "250ms", "30s", "5m", "1h", or plain seconds. */
    static final class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            try {
                return DURATION.parse(text);
            } catch (UsageException e) {
                throw new TypeConversionException("'" + text + "' is not a duration (e.g. 30, 2.5s, 250ms, 5m)");
            }
        }
    }
}
