package io.parcel.cli.perf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import io.parcel.spi.OptionKey;
import io.parcel.spi.UsageException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line value syntax of {@code perf}, the same as for transport options (see {@link OptionKey}). */
final class PerfConverters {
    private static final OptionKey<Long> BYTES = OptionKey.bytes("bytes", 0, "a byte count");
    private static final OptionKey<Duration> DURATION = OptionKey.duration("duration", Duration.ZERO, "a duration");

    private PerfConverters() {
    }

    /** "1048576", "256M", "1GiB". */
    static final class ByteCount implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            try {
                return BYTES.parse(text);
            } catch (UsageException e) {
                throw new TypeConversionException("'" + text + "' is not a byte count (e.g. 1048576, 256M, 1G)");
            }
        }
    }

    /** "250ms", "30s", "5m", or plain seconds. */
    static final class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            try {
                return DURATION.parse(text);
            } catch (UsageException e) {
                throw new TypeConversionException("'" + text + "' is not a duration (e.g. 10, 2.5s, 250ms, 1m)");
            }
        }
    }

    /**
     * "HOST:PORT", "[IPV6]:PORT", ":PORT" or "PORT" (the wildcard address; only sensible for a local address).
     * Host names are resolved here, so a typo is a usage error before anything is opened.
     */
    static InetSocketAddress address(String text, String option) throws UsageException {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new UsageException(option + ": expected [IPV6]:PORT, got '" + text + "'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw new UsageException(option + ": write an IPv6 address in brackets, e.g. [::1]:5201, got '"
                        + text + "'");
            }
            host = colon < 0 ? "" : text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": expected HOST:PORT, got '" + text + "'", e);
        }
        if (number < 0 || number > 65535) {
            throw new UsageException(option + ": port must be 0..65535, got " + number);
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(number);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), number);
        } catch (UnknownHostException e) {
            throw new UsageException(option + ": unknown host '" + host + "'", e);
        }
    }

    /** "127.0.0.1:5201" or "[::1]:5201". */
    static String format(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
