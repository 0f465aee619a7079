package io.parcel.kernel.relay;

import io.parcel.spi.UsageException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The upstream host:port pairs a relay connects to, and nothing else (never an open relay). Names match exactly,
 * case-insensitively; no wildcards, no resolution (a name and the IP it resolves to are different entries).
 */
public final class AllowList {
    private final Set<HostPort> entries;

    private AllowList(Set<HostPort> entries) {
        this.entries = Set.copyOf(entries);
    }

    /**
     * From {@code --upstream} URLs: host and port of each, the port from the scheme when none is given (http 80,
     * https 443).
     *
     * @throws UsageException naming the URL when one has no host, or no port and a scheme without a default
     */
    public static AllowList fromUrls(List<String> urls) throws UsageException {
        requireNonNull(urls, "urls is null");
        if (urls.isEmpty()) {
            throw new UsageException("--upstream: give at least one URL the relay may connect to");
        }
        Set<HostPort> entries = new LinkedHashSet<>();
        for (String url : urls) {
            entries.add(entry(url));
        }
        return new AllowList(entries);
    }

    public static AllowList of(HostPort... entries) {
        return new AllowList(new LinkedHashSet<>(List.of(entries)));
    }

    public boolean allows(HostPort target) {
        requireNonNull(target, "target is null");
        return entries.contains(target);
    }

    public Set<HostPort> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return entries.stream().map(HostPort::toString).sorted().toList().toString();
    }

    private static HostPort entry(String url) throws UsageException {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new UsageException("--upstream: not a URL: '" + url + "' (" + e.getReason() + ")", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new UsageException("--upstream: '" + url + "' has no host (expected e.g. https://example.org)");
        }
        int port = uri.getPort();
        if (port == -1) {
            port = switch (scheme) {
                case "http" -> 80;
                case "https" -> 443;
                default -> throw new UsageException("--upstream: '" + url + "' needs a port (only http and https"
                        + " have a default)");
            };
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return new HostPort(bare, port);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--upstream: '" + url + "': " + e.getMessage(), e);
        }
    }
}
