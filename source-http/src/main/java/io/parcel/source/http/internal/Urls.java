package io.parcel.source.http.internal;

import io.parcel.spi.UsageException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/** Locators, URLs and how they are shown to users. */
public final class Urls {
    private static final String HEX = "0123456789ABCDEF";

    private Urls() {
    }

    /** True when {@code locator} is meant as a URL (it names a scheme) rather than a file ID. */
    public static boolean looksLikeUrl(String locator) {
        return locator.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*://.*");
    }

    /**
     * The URL a locator names: an absolute http(s) URL as given, anything else a file ID under
     * {@code <server-url>/data/}.
     */
    public static URI resolve(String locator, Optional<URI> serverUrl) throws UsageException {
        String trimmed = locator.trim();
        if (trimmed.isEmpty()) {
            throw new UsageException("empty URL or file ID");
        }
        if (looksLikeUrl(trimmed)) {
            return checkedHttpUrl(trimmed, "URL");
        }
        if (trimmed.equals(".") || trimmed.equals("..")) {
            throw new UsageException("'" + trimmed + "' is neither an http(s) URL nor a file ID");
        }
        URI base = serverUrl.orElseThrow(() -> new UsageException(
                "'" + trimmed + "' is not an http(s) URL, so it is taken as a file ID, but no server URL was given"
                        + " (use --server-url)"));
        String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        String text = base.getScheme() + "://" + base.getRawAuthority() + basePath + "/data/" + encodeSegment(trimmed);
        return checkedHttpUrl(text, "file ID URL");
    }

    /** Checks that a server URL option names an http(s) base. */
    public static URI checkedServerUrl(URI serverUrl) throws UsageException {
        return checkedHttpUrl(serverUrl.toString(), "server URL");
    }

    static URI checkedHttpUrl(String text, String what) throws UsageException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new UsageException("invalid " + what + " '" + text + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UsageException("unsupported " + what + " '" + display(uri) + "': only http and https are supported");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new UsageException("invalid " + what + " '" + display(uri) + "': no host name");
        }
        return uri;
    }

    public static boolean isHttps(URI uri) {
        return "https".equalsIgnoreCase(uri.getScheme());
    }

    public static int defaultPort(URI uri) {
        return isHttps(uri) ? 443 : 80;
    }

    public static int port(URI uri) {
        return uri.getPort() == -1 ? defaultPort(uri) : uri.getPort();
    }

    /** The host as a resolver wants it: IPv6 literals without their brackets. */
    public static String bareHost(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public static boolean isIpLiteral(String bareHost) {
        return bareHost.contains(":") || bareHost.matches("[0-9.]+");
    }

    /** Same scheme, host and port: where credentials may be sent again after a redirect. */
    public static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    /**
     * The URL as it may appear in logs and messages: without user info or query, which can carry credentials
     * (pre-signed URLs put their signature in the query).
     */
    public static String display(URI uri) {
        if (uri.getScheme() == null || uri.getHost() == null) {
            return "<invalid URL>";
        }
        StringBuilder text = new StringBuilder();
        text.append(uri.getScheme()).append("://").append(uri.getHost());
        if (uri.getPort() != -1) {
            text.append(':').append(uri.getPort());
        }
        text.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            text.append("?...");
        }
        return text.toString();
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    static String encodeSegment(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
        return out.toString();
    }
}
