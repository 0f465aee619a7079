package io.parcel.source.http;

import io.parcel.source.http.internal.AuthToken;
import io.parcel.source.http.internal.ContentMd5;
import io.parcel.source.http.internal.ConnectionPool;
import io.parcel.source.http.internal.ContentRange;
import io.parcel.source.http.internal.Exchange;
import io.parcel.source.http.internal.FileNames;
import io.parcel.source.http.internal.HeaderField;
import io.parcel.source.http.internal.Headers;
import io.parcel.source.http.internal.HttpSettings;
import io.parcel.source.http.internal.RangeInputStream;
import io.parcel.source.http.internal.ResponseHead;
import io.parcel.source.http.internal.StatusErrors;
import io.parcel.source.http.internal.Urls;
import io.parcel.spi.ByteRange;
import io.parcel.spi.Described;
import io.parcel.spi.ParcelException;
import io.parcel.spi.Resource;
import io.parcel.spi.Source;
import io.parcel.spi.TransferException;
import io.parcel.spi.Transport;
import io.parcel.spi.UsageException;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.System.Logger.Level.DEBUG;
import static java.util.Objects.requireNonNull;

/**
 * Reads HTTP(S) resources with an HTTP/1.1 client of its own that runs directly on the {@link Transport}'s sockets,
 * so the same code works over TCP, UDT or a relay. TLS is layered on the transport's socket with hostname
 * verification always on. A connection whose response was read to its end waits in a {@link ConnectionPool} for
 * the next request to the same origin (the first range after the size probe, a range taken over from a slow
 * connection, the next file), so those skip the handshakes and the slow start of a new connection.
 *
 * <p>The token goes only to the origin (scheme, host, port) the locator names; a redirect elsewhere drops it, and
 * credential headers with it. It never appears in a log line, a message or {@link #toString()}.
 *
 * <p>Thread-safe: it holds no per-request state. Owns the pool: {@link #close()} closes the idle connections.
 */
public final class HttpSource implements Source {
    private static final String DESCRIBE_RANGE = "bytes=0-0";
    private static final String FALLBACK_NAME = "index.html";
    /** A describe response body (one byte, or a short error page) is read off so its connection can be reused. */
    private static final long DISCARD_LIMIT = 16 * 1024;

    private final HttpSettings settings;
    private final Transport transport;
    private final System.Logger logger;
    private final ConnectionPool pool;
    /**
     * Origins whose answer to a first-bytes request had to be settled by a plain describe (a Content-MD5 on a part of
     * a file, most often): their later files skip the first bytes instead of paying that round trip each time.
     */
    private final Set<String> plainDescribeOrigins = ConcurrentHashMap.newKeySet();

    HttpSource(HttpSettings settings, Transport transport, System.Logger logger) {
        this(settings, transport, logger, new ConnectionPool());
    }

    HttpSource(HttpSettings settings, Transport transport, System.Logger logger, ConnectionPool pool) {
        this.settings = requireNonNull(settings, "settings is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.logger = requireNonNull(logger, "logger is null");
        this.pool = requireNonNull(pool, "pool is null");
    }

    /** As {@link #describeAndOpen} with no first bytes: {@code Range: bytes=0-0}. */
    @Override
    public Resource describe(String locator) throws IOException {
        return describeAndOpen(locator, 0).resource();
    }

    /**
     * Asks with {@code GET} and a range from the first byte rather than {@code HEAD}: one round trip tells whether
     * ranges work (a 206) and the total size (Content-Range), and REST endpoints often answer HEAD differently from
     * GET or not at all. An empty resource answers 416 to that range; then one plain GET describes it.
     *
     * <p>The range is {@code bytes=0-0}, or {@code bytes=0-(firstBytes - 1)} when more than one byte is asked for:
     * then the 206 carries the resource's first bytes, and its stream is handed over. A 206 of another shape (no
     * total size, a Content-MD5 that may hash the part rather than the file, a range the server clipped its own way)
     * falls back to {@code bytes=0-0}, and the origin's later files go straight to it.
     */
    @Override
    public Described describeAndOpen(String locator, long firstBytes) throws IOException {
        requireNonNull(locator, "locator is null");
        if (firstBytes < 0) {
            throw new IllegalArgumentException("firstBytes must not be negative: " + firstBytes);
        }
        URI requested = Urls.resolve(locator, settings.serverUrl());
        String origin = ConnectionPool.origin(requested);
        boolean withBytes = firstBytes > 1 && !plainDescribeOrigins.contains(origin);
        String asked = withBytes ? "bytes=0-" + (firstBytes - 1) : DESCRIBE_RANGE;
        int status;
        Exchange exchange = follow(requested, requested, List.of(new HeaderField("Range", asked)));
        try {
            ResponseHead head = exchange.head();
            status = head.status();
            if (status == 206 && withBytes) {
                Optional<Described> described = withFirstBytes(locator, requested, exchange, firstBytes, asked);
                if (described.isPresent()) {
                    exchange = null; // its stream owns it now
                    return described.get();
                }
            } else if (status == 206) {
                Resource resource = describePartial(locator, requested, exchange);
                exchange.discardShortBody(DISCARD_LIMIT);
                return Described.withoutBytes(resource);
            } else if (status == 200) {
                return Described.withoutBytes(describeWhole(locator, requested, exchange.uri(), head, false));
            } else if (status != 416) {
                throw StatusErrors.of(head, exchange.uri(), tokenFor(requested, exchange.uri()).isPresent(), "");
            }
        } finally {
            if (exchange != null) {
                exchange.close();
            }
        }
        if (status == 416) {
            return Described.withoutBytes(describeWithoutRange(locator, requested));
        }
        logger.log(DEBUG, () -> "the answer to " + asked + " did not describe " + Urls.display(requested)
                + " alone; describing files from " + origin + " with bytes=0-0 from now on");
        plainDescribeOrigins.add(origin);
        return describeAndOpen(locator, 0);
    }

    /** The description and the first bytes from a 206 of the shape asked for; empty for any other shape. */
    private Optional<Described> withFirstBytes(String locator, URI requested, Exchange exchange, long firstBytes,
                                               String asked) throws IOException {
        Headers headers = exchange.head().headers();
        ContentRange sent = contentRange(headers, exchange.uri());
        OptionalLong total = sent.total();
        Optional<String> md5 = md5(headers);
        if (!sent.satisfied() || sent.first() != 0 || total.isEmpty() || total.getAsLong() == 0
                || sent.length() != Math.min(firstBytes, total.getAsLong())
                || (md5.isPresent() && sent.length() != total.getAsLong())) {
            return Optional.empty();
        }
        Resource resource = rangedResource(locator, requested, exchange, total.getAsLong(), md5);
        InputStream first = new RangeInputStream(exchange, sent.length(), asked + " of " + Urls.display(exchange.uri()));
        return Optional.of(new Described(resource, Optional.of(first)));
    }

    /** One plain GET, for a resource that answered 416 to a range from its first byte (an empty one, mostly). */
    private Resource describeWithoutRange(String locator, URI requested) throws IOException {
        try (Exchange exchange = follow(requested, requested, List.of())) {
            ResponseHead head = exchange.head();
            if (head.status() != 200) {
                throw StatusErrors.of(head, exchange.uri(), tokenFor(requested, exchange.uri()).isPresent(), "");
            }
            return describeWhole(locator, requested, exchange.uri(), head,
                    head.headers().hasToken("Accept-Ranges", "bytes"));
        }
    }

    /** The URL's last path segment, as {@link #describe} names a resource whose answer has no Content-Disposition. */
    @Override
    public Optional<String> likelyName(String locator) {
        requireNonNull(locator, "locator is null");
        try {
            return FileNames.fromUrl(Urls.resolve(locator, settings.serverUrl()));
        } catch (UsageException e) {
            return Optional.empty(); // describe reports it
        }
    }

    /** Opens up to {@code connections} connections to the locator's origin in the background (see the SPI). */
    @Override
    public void prepareConnections(String locator, int connections) {
        if (connections <= 0) {
            return;
        }
        URI uri;
        try {
            uri = Urls.resolve(locator, settings.serverUrl());
        } catch (UsageException e) {
            return; // describe reports it
        }
        pool.prepare(ConnectionPool.origin(uri), connections, () -> Exchange.open(transport, settings, uri));
    }

    private Resource describePartial(String locator, URI requested, Exchange exchange) throws IOException {
        Headers headers = exchange.head().headers();
        ContentRange range = contentRange(headers, exchange.uri());
        if (!range.satisfied() || range.first() != 0) {
            throw new TransferException("HTTP 206 from " + Urls.display(exchange.uri()) + " sent " + range
                    + " for " + DESCRIBE_RANGE, false);
        }
        long size = range.total().isPresent() ? range.total().getAsLong() : Resource.UNKNOWN_SIZE;
        Optional<String> md5 = md5(headers);
        if (md5.isPresent() && size != 1 && md5.get().equals(md5OfBody(exchange, range.length()))) {
            // This server hashed only the bytes of this partial response (RFC 2616 allows that); it is not the file's.
            md5 = Optional.empty();
        }
        return rangedResource(locator, requested, exchange, size, md5);
    }

    /** A resource with range support, named and validated by {@code exchange}'s answer. */
    private static Resource rangedResource(String locator, URI requested, Exchange exchange, long size,
                                           Optional<String> md5) {
        Headers headers = exchange.head().headers();
        return new Resource(locator, exchange.uri(), name(locator, requested, exchange.uri(), headers), size, md5,
                true, validator(headers));
    }

    private Resource describeWhole(String locator, URI requested, URI actual, ResponseHead head, boolean ranges)
            throws IOException {
        Headers headers = head.headers();
        long size = Resource.UNKNOWN_SIZE;
        Optional<String> length = headers.first("Content-Length");
        if (length.isPresent() && !headers.hasToken("Transfer-Encoding", "chunked")) {
            size = parseLength(length.get(), actual);
        }
        return new Resource(locator, actual, name(locator, requested, actual, headers), size, md5(headers),
                ranges && size != Resource.UNKNOWN_SIZE, validator(headers));
    }

    @Override
    public InputStream open(Resource resource, ByteRange range) throws IOException {
        requireNonNull(resource, "resource is null");
        requireNonNull(range, "range is null");
        if (range.isEmpty()) {
            return InputStream.nullInputStream();
        }
        boolean toEnd = range.end() == Long.MAX_VALUE || (resource.sizeKnown() && range.end() == resource.size());
        if (resource.sizeKnown() && range.end() > resource.size() && range.end() != Long.MAX_VALUE) {
            throw new TransferException("range " + range + " reaches past the end of " + resource.name() + " ("
                    + resource.size() + " bytes)", false);
        }
        URI origin = origin(resource);
        String asked = rangeHeader(resource, range, toEnd);
        List<HeaderField> fields = new ArrayList<>();
        if (resource.rangeSupported()) {
            fields.add(new HeaderField("Range", asked));
            ifRangeValue(resource).ifPresent(value -> fields.add(new HeaderField("If-Range", value)));
        } else if (range.start() != 0 || !toEnd) {
            throw new TransferException(Urls.display(resource.uri()) + " does not support ranges, so only the whole"
                    + " resource can be read, not " + range, false);
        }
        Exchange exchange = follow(resource.uri(), origin, fields);
        try {
            long expected = checkOpenResponse(resource, range, toEnd, exchange, asked, origin);
            return new RangeInputStream(exchange, expected, asked + " of " + Urls.display(exchange.uri()));
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(exchange, e);
            throw e;
        }
    }

    /** Checks the response fits the request; returns how many body bytes to deliver. */
    private long checkOpenResponse(Resource resource, ByteRange range, boolean toEnd, Exchange exchange, String asked,
                                   URI origin) throws IOException {
        ResponseHead head = exchange.head();
        Headers headers = head.headers();
        String where = Urls.display(exchange.uri());
        if (head.status() != 200 && head.status() != 206) {
            throw StatusErrors.of(head, exchange.uri(), tokenFor(origin, exchange.uri()).isPresent(), "for " + asked);
        }
        if (changed(resource, headers)) {
            throw new TransferException(where + " changed since it was described (validator was "
                    + resource.validator().orElse("") + "); the download must start over", false);
        }
        long remainder = resource.sizeKnown() ? resource.size() - range.start() : RangeInputStream.UNTIL_END;
        long expected = range.end() == Long.MAX_VALUE ? remainder : range.length();
        if (!resource.rangeSupported()) {
            if (head.status() != 200) {
                throw new TransferException("HTTP " + head.status() + " from " + where + " to a plain GET", false);
            }
            Optional<String> length = headers.first("Content-Length");
            if (resource.sizeKnown() && length.isPresent() && parseLength(length.get(), exchange.uri()) != resource.size()) {
                throw new TransferException(where + " now has " + length.get() + " bytes, not " + resource.size()
                        + "; the download must start over", false);
            }
            return expected;
        }
        if (head.status() == 200) {
            throw new TransferException("server ignored Range: HTTP 200 from " + where + " for " + asked, false);
        }
        ContentRange sent = contentRange(headers, exchange.uri());
        boolean endMatches = toEnd ? !sent.total().isPresent() || sent.last() == sent.total().getAsLong() - 1
                : sent.last() == range.end() - 1;
        boolean totalMatches = !resource.sizeKnown() || sent.total().isEmpty()
                || sent.total().getAsLong() == resource.size();
        if (!sent.satisfied() || sent.first() != range.start() || !endMatches || !totalMatches) {
            throw new TransferException("HTTP 206 from " + where + " sent " + sent + " for " + asked
                    + (totalMatches ? "" : "; the resource changed size, the download must start over"), false);
        }
        return expected == RangeInputStream.UNTIL_END ? sent.length() : expected;
    }

    private static String rangeHeader(Resource resource, ByteRange range, boolean toEnd) {
        if (toEnd && !resource.sizeKnown()) {
            return "bytes=" + range.start() + "-";
        }
        long last = (range.end() == Long.MAX_VALUE ? resource.size() : range.end()) - 1;
        return "bytes=" + range.start() + "-" + last;
    }

    /**
     * Follows redirects from {@code start}; returns the first exchange that is not a redirect, which the caller owns.
     * Credentials go only to {@code origin}'s scheme, host and port.
     */
    private Exchange follow(URI start, URI origin, List<HeaderField> extra) throws IOException {
        URI current = start;
        for (int redirects = 0; ; redirects++) {
            Optional<AuthToken> token = tokenFor(origin, current);
            List<HeaderField> fields = new ArrayList<>();
            for (HeaderField field : settings.headers()) {
                if (token.isPresent() || !field.sensitive() || Urls.sameOrigin(origin, current)) {
                    fields.add(field);
                }
            }
            fields.addAll(extra);
            URI target = current;
            logger.log(DEBUG, () -> "GET " + Urls.display(target) + " " + fields
                    + (token.isPresent() ? " with X-Auth-Token" : "") + " over " + transport.name());
            Exchange exchange = Exchange.execute(transport, settings, pool, current, fields, token);
            ResponseHead head = exchange.head();
            logger.log(DEBUG, () -> "HTTP " + head.status() + " " + head.reason() + " from " + Urls.display(target)
                    + (exchange.reused() ? " (kept-alive connection)" : ""));
            if (!head.isRedirect()) {
                return exchange;
            }
            exchange.discardShortBody(DISCARD_LIMIT);
            exchange.close();
            Optional<String> location = head.headers().first("Location");
            if (location.isEmpty()) {
                throw new TransferException("HTTP " + head.status() + " from " + Urls.display(current)
                        + " without a Location header", false);
            }
            if (redirects >= settings.maxRedirects()) {
                throw new TransferException("more than " + settings.maxRedirects() + " redirects, starting at "
                        + Urls.display(start), false);
            }
            current = redirectTarget(current, location.get());
        }
    }

    private static URI redirectTarget(URI current, String location) throws TransferException {
        try {
            // Servers send raw spaces now and then; they are the one repair worth making.
            URI next = current.resolve(new URI(location.replace(" ", "%20"))).normalize();
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if ((!scheme.equals("http") && !scheme.equals("https")) || next.getHost() == null) {
                throw new TransferException("redirect from " + Urls.display(current) + " to an unsupported URL", false);
            }
            // RFC 3986 5.2.4 drops ".." segments that would climb above the root; java.net.URI keeps them.
            String path = next.getRawPath() == null || next.getRawPath().isEmpty() ? "/" : next.getRawPath();
            while (path.startsWith("/../") || path.equals("/..")) {
                path = path.substring(3).isEmpty() ? "/" : path.substring(3);
            }
            return new URI(next.getScheme() + "://" + next.getRawAuthority() + path
                    + (next.getRawQuery() == null ? "" : "?" + next.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new TransferException("redirect from " + Urls.display(current) + " to a malformed Location: "
                    + e.getReason(), false);
        }
    }

    private Optional<AuthToken> tokenFor(URI origin, URI target) {
        return Urls.sameOrigin(origin, target) ? settings.token() : Optional.empty();
    }

    /** Where the token may go: the URL the locator names (not where a redirect led). */
    private URI origin(Resource resource) {
        try {
            return Urls.resolve(resource.locator(), settings.serverUrl());
        } catch (UsageException e) {
            return resource.uri();
        }
    }

    private static String name(String locator, URI requested, URI actual, Headers headers) {
        Optional<String> name = headers.first("Content-Disposition").flatMap(FileNames::fromContentDisposition);
        if (name.isEmpty()) {
            name = FileNames.fromUrl(requested);
        }
        if (name.isEmpty()) {
            name = FileNames.fromUrl(actual);
        }
        if (name.isEmpty() && !Urls.looksLikeUrl(locator)) {
            name = FileNames.sanitize(locator);
        }
        return name.orElse(FALLBACK_NAME);
    }

    private static Optional<String> md5(Headers headers) {
        return headers.first("Content-MD5").flatMap(ContentMd5::parse);
    }

    private static Optional<String> validator(Headers headers) {
        Optional<String> etag = headers.first("ETag").filter(value -> !value.isEmpty());
        return etag.isPresent() ? etag : headers.first("Last-Modified").filter(value -> !value.isEmpty());
    }

    private static boolean isEtag(String validator) {
        return validator.startsWith("\"") || validator.startsWith("W/");
    }

    /**
     * If-Range needs a strong validator (RFC 9110 13.1.5); with a weak ETag none is sent and {@link #changed} catches
     * a change after the fact.
     */
    private static Optional<String> ifRangeValue(Resource resource) {
        return resource.validator().filter(value -> !value.startsWith("W/"));
    }

    /** True when the response names a different version than the one described. */
    private static boolean changed(Resource resource, Headers headers) {
        if (resource.validator().isEmpty()) {
            return false;
        }
        String expected = resource.validator().get();
        if (isEtag(expected)) {
            Optional<String> etag = headers.first("ETag");
            return etag.isPresent() && !stripWeak(etag.get()).equals(stripWeak(expected));
        }
        Optional<String> lastModified = headers.first("Last-Modified");
        return lastModified.isPresent() && !lastModified.get().equals(expected);
    }

    private static String stripWeak(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    private static ContentRange contentRange(Headers headers, URI uri) throws TransferException {
        String value = headers.first("Content-Range").orElseThrow(() -> new TransferException(
                "HTTP 206 from " + Urls.display(uri) + " without a Content-Range header", false));
        try {
            return ContentRange.parse(value);
        } catch (ProtocolException e) {
            throw new TransferException(e.getMessage() + " from " + Urls.display(uri), false);
        }
    }

    private static long parseLength(String value, URI uri) throws TransferException {
        try {
            return ContentRange.parseLength(value);
        } catch (ProtocolException e) {
            throw new TransferException("bad Content-Length from " + Urls.display(uri) + ": " + e.getMessage(), false);
        }
    }

    private static String md5OfBody(Exchange exchange, long length) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            digest.update(exchange.body().readNBytes((int) Math.min(length, 1024)));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        } catch (ParcelException e) {
            throw e;
        } catch (IOException e) {
            throw new TransferException("reading the first byte of " + Urls.display(exchange.uri()) + " failed: " + e,
                    true, e);
        }
    }

    private static void closeAfterFailure(Exchange exchange, Throwable failure) {
        try {
            exchange.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Closes the idle connections; streams still open keep theirs until they are closed. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "HttpSource[transport=" + transport.name() + ", " + settings + "]";
    }
}
