package io.parcel.source.http.internal;

import io.parcel.source.http.HttpSourceOptions;
import io.parcel.spi.CommonOptions;
import io.parcel.spi.Options;
import io.parcel.spi.UsageException;

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Everything an {@code http} source needs, read and checked once when it is created, so bad options fail before
 * any transfer starts. {@link #toString()} never shows the token.
 */
public final class HttpSettings {
    /** Headers Parcel writes itself: letting users set them would break framing or range handling. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "range", "if-range", "accept-encoding", "te", "upgrade");
    /** Cap for a token file: a token is a few hundred bytes, a bigger file is a wrong path. */
    private static final long MAX_TOKEN_FILE_BYTES = 64 * 1024;

    private final Optional<AuthToken> token;
    private final List<HeaderField> headers;
    private final Optional<URI> serverUrl;
    private final int maxRedirects;
    private final Duration connectTimeout;
    private final Duration ioTimeout;
    private final Supplier<SSLSocketFactory> tlsSocketFactory;
    private final String userAgent;

    public HttpSettings(Optional<AuthToken> token, List<HeaderField> headers, Optional<URI> serverUrl, int maxRedirects,
                        Duration connectTimeout, Duration ioTimeout, Supplier<SSLSocketFactory> tlsSocketFactory,
                        String userAgent) {
        this.token = requireNonNull(token, "token is null");
        this.headers = List.copyOf(requireNonNull(headers, "headers is null"));
        this.serverUrl = requireNonNull(serverUrl, "serverUrl is null");
        this.maxRedirects = maxRedirects;
        this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout is null");
        this.ioTimeout = requireNonNull(ioTimeout, "ioTimeout is null");
        this.tlsSocketFactory = requireNonNull(tlsSocketFactory, "tlsSocketFactory is null");
        this.userAgent = requireNonNull(userAgent, "userAgent is null");
    }

    public static HttpSettings from(Options options) throws UsageException {
        requireNonNull(options, "options is null");
        Path tokenFile = options.get(HttpSourceOptions.TOKEN_FILE);
        Optional<AuthToken> token = tokenFile == null ? Optional.empty() : Optional.of(readToken(tokenFile));
        List<HeaderField> headers = parseHeaders(options.get(HttpSourceOptions.HEADER));
        Optional<URI> serverUrl = Optional.ofNullable(options.get(HttpSourceOptions.SERVER_URL));
        if (serverUrl.isPresent()) {
            Urls.checkedServerUrl(serverUrl.get());
        }
        int maxRedirects = options.get(HttpSourceOptions.MAX_REDIRECTS);
        if (maxRedirects < 0) {
            throw new UsageException("option 'max-redirects' must not be negative: " + maxRedirects);
        }
        Duration connectTimeout = positive(options.get(CommonOptions.CONNECT_TIMEOUT), CommonOptions.CONNECT_TIMEOUT.name());
        Duration ioTimeout = positive(options.get(CommonOptions.IO_TIMEOUT), CommonOptions.IO_TIMEOUT.name());
        Path caFile = options.get(HttpSourceOptions.CA_FILE);
        Supplier<SSLSocketFactory> tls;
        if (caFile != null) {
            // Read now: a bad CA file is a usage error, to report before any transfer starts.
            SSLSocketFactory withCaFile = TrustMaterial.socketFactory(Optional.of(caFile));
            tls = () -> withCaFile;
        } else {
            // The JDK's default TLS context costs a few hundred ms of CPU to load; plain-HTTP downloads never need it.
            tls = new LazyDefaultTls();
        }
        return new HttpSettings(token, headers, serverUrl, maxRedirects, connectTimeout, ioTimeout, tls,
                defaultUserAgent());
    }

    /** Reads the token; messages name the file, never its content. */
    static AuthToken readToken(Path file) throws UsageException {
        String text;
        try {
            if (Files.size(file) > MAX_TOKEN_FILE_BYTES) {
                throw new UsageException("token file " + file + " is larger than " + MAX_TOKEN_FILE_BYTES
                        + " bytes; is it the right file?");
            }
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            throw new UsageException("token file " + file + " does not exist");
        } catch (MalformedInputException e) {
            throw new UsageException("token file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new UsageException("cannot read token file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        if (text.isEmpty()) {
            throw new UsageException("token file " + file + " is empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new UsageException("token file " + file
                        + " holds more than one line or control characters; it must hold only the token");
            }
        }
        return new AuthToken(text);
    }

    static List<HeaderField> parseHeaders(String text) throws UsageException {
        if (text == null) {
            return List.of();
        }
        List<HeaderField> fields = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            if (colon <= 0) {
                throw new UsageException("malformed header '" + nameOnly(trimmed) + "': expected 'Name: value'");
            }
            String name = trimmed.substring(0, colon).strip();
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new UsageException("header '" + name + "' is set by Parcel itself and cannot be given");
            }
            try {
                fields.add(new HeaderField(name, trimmed.substring(colon + 1).strip()));
            } catch (IllegalArgumentException e) {
                throw new UsageException("malformed header: " + e.getMessage());
            }
        }
        return List.copyOf(fields);
    }

    /** What of a malformed header line may be shown: it may be a credential pasted without its name. */
    private static String nameOnly(String line) {
        return line.length() <= 3 ? line : line.substring(0, 3) + "...";
    }

    private static Duration positive(Duration value, String name) throws UsageException {
        if (value.isZero() || value.isNegative()) {
            throw new UsageException("option '" + name + "' must be positive (a zero timeout would wait forever)");
        }
        return value;
    }

    static String defaultUserAgent() {
        String version = HttpSettings.class.getPackage().getImplementationVersion();
        return "parcel/" + (version == null ? "dev" : version);
    }

    public Optional<AuthToken> token() {
        return token;
    }

    public List<HeaderField> headers() {
        return headers;
    }

    public Optional<URI> serverUrl() {
        return serverUrl;
    }

    public int maxRedirects() {
        return maxRedirects;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration ioTimeout() {
        return ioTimeout;
    }

    public SSLSocketFactory tlsSocketFactory() {
        return tlsSocketFactory.get();
    }

    public String userAgent() {
        return userAgent;
    }

    /** Socket read timeout in milliseconds, never 0 (which would mean "forever"). */
    int ioTimeoutMillis() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ioTimeout.toMillis()));
    }

    @Override
    public String toString() {
        return "HttpSettings[token=" + (token.isPresent() ? "present" : "none") + ", headers=" + headers
                + ", server-url=" + serverUrl.map(Urls::display).orElse("none") + ", max-redirects=" + maxRedirects
                + ", connect-timeout=" + connectTimeout + ", timeout=" + ioTimeout + ", user-agent=" + userAgent + "]";
    }

    /** The JDK's default TLS socket factory, loaded on first use; thread-safe. */
    private static final class LazyDefaultTls implements Supplier<SSLSocketFactory> {
        private volatile SSLSocketFactory factory;

        @Override
        public SSLSocketFactory get() {
            SSLSocketFactory current = factory;
            if (current == null) {
                synchronized (this) {
                    current = factory;
                    if (current == null) {
                        current = TrustMaterial.defaultSocketFactory();
                        factory = current;
                    }
                }
            }
            return current;
        }
    }
}
