package io.parcel.kernel.relay;

import io.parcel.spi.HostLookup;
import io.parcel.spi.UsageException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * A host name (or IP literal) and a port, as a user or a relay preamble writes it: {@code example.org:443},
 * {@code 10.0.0.1:80}, {@code [::1]:8080}. The host is kept as text and never resolved here, so a relay client can
 * name an upstream it cannot resolve itself. Host names compare case-insensitively (they are stored lower-case).
 *
 * @param host a DNS name or IPv4 literal, or an IPv6 literal without brackets; lower case
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {
    /** Longest DNS name (RFC 1035) or IPv6 literal with a zone we accept. */
    static final int MAX_HOST_LENGTH = 253;

    public HostPort {
        requireNonNull(host, "host is null");
        host = host.toLowerCase(Locale.ROOT);
        if (host.endsWith(".") && host.length() > 1 && !host.contains(":")) {
            // "example.org." is the same name as "example.org"; one spelling keeps allow-list matches exact.
            host = host.substring(0, host.length() - 1);
        }
        if (!validHost(host)) {
            throw new IllegalArgumentException("not a host name or IP literal: '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535: " + port);
        }
    }

    /**
     * Parses {@code HOST:PORT} or {@code [IPV6]:PORT}.
     *
     * @param option the option the text came from, for the message
     * @throws UsageException naming the option and the text when it does not parse
     */
    public static HostPort parse(String text, String option) throws UsageException {
        requireNonNull(text, "text is null");
        requireNonNull(option, "option is null");
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": expected HOST:PORT or [IPV6]:PORT, got '" + text + "' ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Parses {@code HOST:PORT} or {@code [IPV6]:PORT}; throws IllegalArgumentException when it does not. */
    static HostPort parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("an IPv6 address needs brackets and a port: [::1]:443");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (!host.contains(":")) {
                throw new IllegalArgumentException("brackets are only for IPv6 addresses");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("no port");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("write IPv6 addresses in brackets: [::1]:443");
            }
        }
        return new HostPort(host, parsePort(port));
    }

    /** The name a caller gave {@code address}, never a reverse lookup of it. */
    public static HostPort of(InetSocketAddress address) {
        requireNonNull(address, "address is null");
        String host = address.getHostString();
        int zone = host.indexOf('%');
        return new HostPort(host.contains(":") && zone > 0 ? host.substring(0, zone) : host, address.getPort());
    }

    static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port must be a number from 1 to 65535: '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    /** An unresolved address: whoever connects to it resolves the name, bounded by its own timeout. */
    public InetSocketAddress unresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * The first address of the host, with the port, within {@code timeout}.
     *
     * @throws java.net.SocketTimeoutException when the lookup takes longer than {@code timeout}
     * @throws java.net.UnknownHostException   when the name does not resolve
     */
    public InetSocketAddress resolve(HostLookup lookup, Duration timeout) throws IOException {
        return new InetSocketAddress(lookup.resolve(host, timeout).get(0), port);
    }

    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    @Override
    public String toString() {
        return isIpv6() ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static boolean validHost(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            return host.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.');
        }
        return host.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_');
    }
}
