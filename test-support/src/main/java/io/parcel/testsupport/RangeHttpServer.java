package io.parcel.testsupport;

import io.parcel.testsupport.internal.HttpConnection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * An in-JVM HTTP/1.1 server on a raw {@link ServerSocket} for fast end-to-end tests of HTTP clients: named
 * resources (in-memory or generated, any size), single byte ranges, HEAD, keep-alive, and switches for the
 * ways real servers misbehave (no range support, auth, redirects, error statuses, cut or stalled bodies,
 * slow links). It listens on loopback, port 0, and counts what it served for assertions.
 *
 * <pre>{@code
 * try (RangeHttpServer server = RangeHttpServer.builder()
 *         .generated("/big.bin", 42, 3L << 30)
 *         .dataFile("0f1e-uuid", Content.bytes(data), spec -> spec.filename("reads.bam"))
 *         .contentMd5(true)
 *         .authToken("secret")
 *         .start()) {
 *     URI uri = server.uri("/big.bin");
 *     ...
 *     assertEquals(8, server.rangeRequestCount());
 * }
 * }</pre>
 *
 * <p>The order in which a request is handled: counted and recorded; stalled ({@link Builder#stallFirst});
 * given the override status ({@link Builder#failFirst}); redirected; checked for the token; looked up (404);
 * then answered with 200, 206 or 416. Faults that count "the first K requests" count every request in arrival
 * order, whatever its path or method; {@link Builder#cutAfter} counts only responses it actually cut.
 *
 * <p>Threads: one acceptor and one per connection, all daemons, all ended by {@link #close()}.
 */
public final class RangeHttpServer implements AutoCloseable {
    private final Settings settings;
    private final Map<String, Entry> resources;
    private final ServerSocket serverSocket;
    /** TLS is layered over each accepted TCP socket, so that close can always reach the TCP socket (see close). */
    private final SSLSocketFactory tlsSockets;
    private final Thread acceptor;
    /** Each open connection's TCP socket and the socket it is served on (the same one without TLS). */
    private final Map<Socket, Socket> connections = new ConcurrentHashMap<>();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger requestCount = new AtomicInteger();
    private final AtomicInteger rangeRequestCount = new AtomicInteger();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final AtomicInteger cutCount = new AtomicInteger();
    private final AtomicLong bytesSent = new AtomicLong();
    private final Queue<RecordedRequest.Builder> requests = new ConcurrentLinkedQueue<>();

    private RangeHttpServer(Builder builder) throws IOException {
        this.settings = new Settings(builder);
        this.resources = new ConcurrentHashMap<>(builder.resources);
        this.serverSocket = new ServerSocket();
        this.tlsSockets = builder.tls == null ? null : builder.tls.getSocketFactory();
        try {
            serverSocket.bind(new InetSocketAddress(builder.bindAddress, 0), 64);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        this.acceptor = Thread.ofPlatform().daemon().name("range-http-accept-" + serverSocket.getLocalPort())
                .unstarted(this::acceptLoop);
        acceptor.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------------- addresses

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>} ({@code https} with TLS; no trailing slash); what {@code --server-url} takes. */
    public URI baseUri() {
        InetAddress address = serverSocket.getInetAddress();
        String host = address.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((settings.tls ? "https://" : "http://") + host + ":" + port());
    }

    /** The absolute URI of {@code path} (which starts with '/'). */
    public URI uri(String path) {
        requireNonNull(path, "path is null");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        return URI.create(baseUri() + path);
    }

    /** {@link #uri(String)} as text. */
    public String url(String path) {
        return uri(path).toString();
    }

    /** The URI of a file registered with {@link Builder#dataFile}: {@code <base>/data/<id>}. */
    public URI dataUri(String id) {
        return uri("/data/" + id);
    }

    // --------------------------------------------------------------------------------------------- resources

    /** Adds or replaces a resource while running (e.g. "the file changed between two runs"). */
    public void put(String path, Content content) {
        put(path, content, spec -> { });
    }

    public void put(String path, Content content, Consumer<ResourceSpec> configure) {
        Entry entry = Entry.of(path, content, configure);
        resources.put(entry.path, entry);
    }

    /** Removes a resource while running; later requests for it get 404. */
    public void remove(String path) {
        resources.remove(requireNonNull(path, "path is null"));
    }

    // ---------------------------------------------------------------------------------------------- counters

    /** Requests received (every method and path, including refused ones). */
    public int requestCount() {
        return requestCount.get();
    }

    /** Requests received for {@code path} (query ignored). */
    public int requestCount(String path) {
        requireNonNull(path, "path is null");
        return (int) requests().stream().filter(request -> request.path().equals(path)).count();
    }

    /** Requests answered with 206 Partial Content. */
    public int rangeRequestCount() {
        return rangeRequestCount.get();
    }

    /** TCP connections accepted; with keep-alive, fewer than requests. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /** Responses cut short by {@link Builder#cutAfter}. */
    public int cutCount() {
        return cutCount.get();
    }

    /**
     * Resource body bytes written to clients (200 and 206 bodies; headers and error bodies not counted). Bytes
     * are counted as they are handed to the socket, so a client that has read them finds them counted.
     */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Every request so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return requests.stream().map(RecordedRequest.Builder::build).toList();
    }

    /** The {@code Range} headers received for {@code path}, in arrival order (requests without one omitted). */
    public List<String> ranges(String path) {
        return requests().stream().filter(request -> request.path().equals(path) && request.range() != null)
                .map(RecordedRequest::range).toList();
    }

    /** Stops accepting, closes every connection and waits (bounded) for every thread to end. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // Closing is all we want; there is nothing left to release.
        }
        // A TLS socket's close sends close_notify under the lock that a writer blocked on a client that stopped
        // reading holds, and would wait for it forever: close the TLS sockets politely on the side, and after a
        // short while close the TCP sockets under them, which ends any blocked write and so those closes too.
        List<Thread> politeCloses = new ArrayList<>();
        for (Map.Entry<Socket, Socket> connection : connections.entrySet()) {
            Socket served = connection.getValue();
            if (served == connection.getKey()) {
                closeQuietly(served);
            } else {
                politeCloses.add(Thread.ofVirtual().start(() -> closeQuietly(served)));
            }
        }
        long politeDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        for (Thread politeClose : politeCloses) {
            try {
                politeClose.join(Duration.ofNanos(Math.max(1, politeDeadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Socket tcp : connections.keySet()) {
            closeQuietly(tcp);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Thread> all = new ArrayList<>(threads);
        all.add(acceptor);
        for (Thread thread : all) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || thread == Thread.currentThread()) {
                continue;
            }
            try {
                thread.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ serving

    private void acceptLoop() {
        while (closed.getCount() > 0) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                return; // closed
            }
            connectionCount.incrementAndGet();
            connections.put(socket, socket);
            Thread thread = Thread.ofPlatform().daemon()
                    .name("range-http-" + port() + "-conn-" + connectionCount.get())
                    .unstarted(() -> serve(socket));
            threads.add(thread);
            if (closed.getCount() == 0) {
                closeQuietly(socket);
            }
            thread.start();
        }
    }

    private void serve(Socket tcp) {
        try (tcp; Socket socket = tlsSockets == null ? tcp : layerTls(tcp)) {
            socket.setSoTimeout((int) settings.idleTimeout.toMillis());
            socket.setTcpNoDelay(true);
            HttpConnection connection = new HttpConnection(socket);
            boolean keepAlive = true;
            while (keepAlive && closed.getCount() > 0) {
                HttpConnection.Request request = connection.readRequest();
                if (request == null) {
                    return;
                }
                keepAlive = handle(connection, request);
            }
        } catch (IOException | UncheckedIOException e) {
            // The client went away, timed out, or the server is closing: end this connection.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connections.remove(tcp);
            threads.remove(Thread.currentThread());
        }
    }

    /** Answers one request; returns whether the connection stays open. */
    private boolean handle(HttpConnection connection, HttpConnection.Request request)
            throws IOException, InterruptedException {
        int ordinal = requestCount.incrementAndGet();
        String rangeHeader = request.header("range");
        boolean keepAlive = settings.keepAlive && request.keepAlive();
        RecordedRequest.Builder record = new RecordedRequest.Builder(request.method(), request.target(),
                request.path(), rangeHeader, request.headers());
        // Logged on arrival and updated before anything is written, so a client that has its response
        // always finds it in the log and the counters.
        requests.add(record);
        if (ordinal <= settings.stallCount) {
            // Send nothing for a while; a client with a read timeout gives up first.
            if (closed.await(settings.stallDuration.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return error(connection, record, 405, "method not allowed", keepAlive, Map.of("Allow", "GET, HEAD"));
        }
        if (ordinal <= settings.failCount) {
            return error(connection, record, settings.failStatus, "injected failure", keepAlive, Map.of());
        }
        String redirect = settings.redirects.get(request.path());
        if (redirect != null) {
            return error(connection, record, 302, "found", keepAlive, Map.of("Location", url(redirect)));
        }
        if (settings.authToken != null) {
            String token = request.header("x-auth-token");
            if (token == null) {
                return error(connection, record, 401, "X-Auth-Token required", keepAlive, Map.of());
            }
            if (!token.equals(settings.authToken)) {
                return error(connection, record, 403, "X-Auth-Token not accepted", keepAlive, Map.of());
            }
        }
        Entry entry = resources.get(request.path());
        if (entry == null) {
            return error(connection, record, 404, "no such resource: " + request.path(), keepAlive, Map.of());
        }
        return serveResource(connection, request, record, entry, rangeHeader, keepAlive);
    }

    private boolean serveResource(HttpConnection connection, HttpConnection.Request request,
                                  RecordedRequest.Builder record, Entry entry, String rangeHeader,
                                  boolean keepAlive) throws IOException, InterruptedException {
        long size = entry.content.size();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", entry.contentType);
        if (settings.ranges) {
            headers.put("Accept-Ranges", "bytes");
        }
        if (entry.etag != null) {
            headers.put("ETag", entry.etag);
        }
        if (entry.filename != null) {
            headers.put("Content-Disposition", "attachment; filename=\"" + entry.filename + "\"");
        }
        if (entry.contentMd5 != null) {
            headers.put("Content-MD5", entry.contentMd5);
        } else if (settings.contentMd5) {
            headers.put("Content-MD5", entry.content.md5Base64());
        }
        headers.putAll(entry.headers);

        long start = 0;
        long length = size;
        int status = 200;
        String ifRange = request.header("if-range");
        boolean rangeApplies = settings.ranges && rangeHeader != null
                && (ifRange == null || ifRange.equals(entry.etag));
        if (rangeApplies) {
            long[] range = parseRange(rangeHeader, size);
            if (range == UNSATISFIABLE) {
                headers.put("Content-Range", "bytes */" + size);
                return error(connection, record, 416, "range not satisfiable", keepAlive, headers);
            }
            if (range != null) {
                status = 206;
                start = range[0];
                length = range[1] - range[0] + 1;
                headers.put("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
                rangeRequestCount.incrementAndGet();
            }
        }
        boolean head = request.method().equals("HEAD");
        boolean cut = !head && length > settings.cutAfterBytes && tryCut();
        headers.put("Content-Length", Long.toString(length));
        record.status(status);
        OutputStream out = connection.output();
        connection.writeHead(status, reason(status), headers, keepAlive && !cut);
        if (head) {
            out.flush();
            return keepAlive;
        }
        long toSend = cut ? settings.cutAfterBytes : length;
        writeBody(out, entry.content, start, toSend, record);
        out.flush();
        if (cut) {
            return false; // the connection ends mid-body
        }
        return keepAlive;
    }

    /** Takes one of the {@link Builder#cutAfter} cuts, if any is left. */
    private boolean tryCut() {
        int taken;
        do {
            taken = cutCount.get();
            if (taken >= settings.cutCount) {
                return false;
            }
        } while (!cutCount.compareAndSet(taken, taken + 1));
        return true;
    }

    private void writeBody(OutputStream out, Content content, long start, long length,
                           RecordedRequest.Builder record) throws IOException, InterruptedException {
        int chunk = 64 * 1024;
        long rate = settings.throttleBytesPerSecond;
        if (rate > 0) {
            // Small chunks keep the pacing smooth: about 20 writes per second.
            chunk = (int) Math.max(1, Math.min(chunk, rate / 20));
        }
        byte[] buffer = new byte[(int) Math.min(chunk, Math.max(1, length))];
        long began = System.nanoTime();
        long done = 0;
        while (done < length) {
            int count = (int) Math.min(buffer.length, length - done);
            content.read(start + done, buffer, 0, count);
            // Counted before writing: once a client has the bytes, the counters include them.
            bytesSent.addAndGet(count);
            record.addBodyBytes(count);
            out.write(buffer, 0, count);
            done += count;
            if (rate > 0) {
                out.flush();
                long dueNanos = (long) (done * 1e9 / rate);
                long waitNanos = dueNanos - (System.nanoTime() - began);
                if (waitNanos > 0 && closed.await(waitNanos, TimeUnit.NANOSECONDS)) {
                    throw new SocketException("server closed");
                }
            }
        }
    }

    private boolean error(HttpConnection connection, RecordedRequest.Builder record, int status, String message,
                          boolean keepAlive, Map<String, String> extraHeaders) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("Content-Type", "text/plain; charset=utf-8");
        headers.put("Content-Length", Integer.toString(body.length));
        record.status(status);
        connection.writeHead(status, reason(status), headers, keepAlive);
        if (!"HEAD".equals(record.method())) {
            connection.output().write(body);
        }
        connection.output().flush();
        return keepAlive;
    }

    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * One range of a {@code Range} header as {@code {first, last}} (inclusive), {@link #UNSATISFIABLE}, or null
     * when the header is to be ignored (not bytes, several ranges, malformed): then the full body is sent, as
     * RFC 9110 allows.
     */
    static long[] parseRange(String header, long size) {
        String value = header.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = value.substring(6).trim();
        if (spec.contains(",")) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        try {
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(last);
                if (suffix <= 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long from = Long.parseLong(first);
            long to = last.isEmpty() ? Long.MAX_VALUE : Long.parseLong(last);
            if (from < 0 || to < from) {
                return null;
            }
            if (from >= size) {
                return UNSATISFIABLE;
            }
            return new long[] {from, Math.min(to, size - 1)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status " + status;
        };
    }

    private Socket layerTls(Socket tcp) throws IOException {
        SSLSocket tls = (SSLSocket) tlsSockets.createSocket(tcp, null, tcp.getPort(), true);
        tls.setUseClientMode(false);
        // Put it where close finds it; unless close already ran, which then closed the TCP socket under it.
        connections.replace(tcp, tcp, tls);
        return tls;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Best effort on shutdown.
        }
    }

    // ------------------------------------------------------------------------------------------- public types

    /** The body of a resource: bytes in memory, or generated by {@link TestData} (any size, nothing held). */
    public static final class Content {
        private final byte[] bytes;
        private final long seed;
        private final long size;
        private volatile String md5Base64;

        private Content(byte[] bytes, long seed, long size) {
            this.bytes = bytes;
            this.seed = seed;
            this.size = size;
        }

        /** In-memory content (copied). */
        public static Content bytes(byte[] data) {
            requireNonNull(data, "data is null");
            return new Content(data.clone(), 0, data.length);
        }

        /** UTF-8 text. */
        public static Content text(String text) {
            return bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        /** The first {@code size} bytes of {@link TestData} seed {@code seed}. */
        public static Content generated(long seed, long size) {
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative: " + size);
            }
            return new Content(null, seed, size);
        }

        public long size() {
            return size;
        }

        /** Copies the bytes at {@code position ..} into {@code target}. */
        public void read(long position, byte[] target, int offset, int length) {
            if (position < 0 || position + length > size) {
                throw new IndexOutOfBoundsException("range " + position + "+" + length + " outside 0.." + size);
            }
            if (bytes != null) {
                System.arraycopy(bytes, (int) position, target, offset, length);
            } else {
                TestData.fill(seed, position, target, offset, length);
            }
        }

        public String sha256Hex() {
            return bytes != null ? TestData.sha256Hex(bytes) : TestData.sha256Hex(seed, size);
        }

        public String md5Hex() {
            return bytes != null ? TestData.md5Hex(bytes) : TestData.md5Hex(seed, size);
        }

        /** MD5 as a {@code Content-MD5} header carries it; computed once (it reads all the content). */
        public String md5Base64() {
            String result = md5Base64;
            if (result == null) {
                result = bytes != null ? TestData.md5Base64(bytes) : TestData.md5Base64(seed, size);
                md5Base64 = result;
            }
            return result;
        }

        /** A copy of the content; only for sizes that fit in an array. */
        public byte[] toByteArray() {
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("content too large for an array: " + size);
            }
            byte[] result = new byte[(int) size];
            read(0, result, 0, result.length);
            return result;
        }
    }

    /** Per-resource response details. */
    public static final class ResourceSpec {
        private String filename;
        private String etag;
        private String contentMd5;
        private String contentType = "application/octet-stream";
        private final Map<String, String> headers = new LinkedHashMap<>();

        ResourceSpec() {
        }

        /** Sends {@code Content-Disposition: attachment; filename="<filename>"}. */
        public ResourceSpec filename(String filename) {
            this.filename = requireNonNull(filename, "filename is null");
            return this;
        }

        /** Sends this {@code ETag} (give the quotes, e.g. {@code "\"v1\""}); {@code If-Range} is checked against it. */
        public ResourceSpec etag(String etag) {
            this.etag = requireNonNull(etag, "etag is null");
            return this;
        }

        /** Sends this {@code Content-MD5} value verbatim (e.g. a wrong one), whatever {@link Builder#contentMd5}. */
        public ResourceSpec contentMd5(String base64) {
            this.contentMd5 = requireNonNull(base64, "base64 is null");
            return this;
        }

        public ResourceSpec contentType(String contentType) {
            this.contentType = requireNonNull(contentType, "contentType is null");
            return this;
        }

        /** Any other response header for this resource. */
        public ResourceSpec header(String name, String value) {
            headers.put(requireNonNull(name, "name is null"), requireNonNull(value, "value is null"));
            return this;
        }
    }

    /** Configures and starts a {@link RangeHttpServer}; every switch is off unless set. */
    public static final class Builder {
        private final Map<String, Entry> resources = new LinkedHashMap<>();
        private final Map<String, String> redirects = new LinkedHashMap<>();
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private boolean ranges = true;
        private boolean contentMd5;
        private boolean keepAlive = true;
        private String authToken;
        private int failCount;
        private int failStatus;
        private long cutAfterBytes;
        private int cutCount;
        private int stallCount;
        private Duration stallDuration = Duration.ZERO;
        private long throttleBytesPerSecond;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private SSLContext tls;

        private Builder() {
        }

        /** Serves HTTPS with this server context, e.g. {@code TestTls.get().serverContext()}. */
        public Builder tls(SSLContext serverContext) {
            this.tls = requireNonNull(serverContext, "serverContext is null");
            return this;
        }

        public Builder resource(String path, Content content) {
            return resource(path, content, spec -> { });
        }

        public Builder resource(String path, Content content, Consumer<ResourceSpec> configure) {
            Entry entry = Entry.of(path, content, configure);
            resources.put(entry.path, entry);
            return this;
        }

        public Builder resource(String path, byte[] content) {
            return resource(path, Content.bytes(content));
        }

        /** A resource of {@code size} bytes of {@link TestData} seed {@code seed}. */
        public Builder generated(String path, long seed, long size) {
            return resource(path, Content.generated(seed, size));
        }

        public Builder generated(String path, long seed, long size, Consumer<ResourceSpec> configure) {
            return resource(path, Content.generated(seed, size), configure);
        }

        /** A file served at {@code /data/<id>}, as the GDC API serves files by UUID. */
        public Builder dataFile(String id, Content content) {
            return resource("/data/" + requireNonNull(id, "id is null"), content);
        }

        public Builder dataFile(String id, Content content, Consumer<ResourceSpec> configure) {
            return resource("/data/" + requireNonNull(id, "id is null"), content, configure);
        }

        /** Answers requests for {@code from} with 302 and an absolute {@code Location} of path {@code to}. */
        public Builder redirect(String from, String to) {
            requireNonNull(from, "from is null");
            requireNonNull(to, "to is null");
            if (!from.startsWith("/") || !to.startsWith("/")) {
                throw new IllegalArgumentException("paths must start with '/': " + from + " -> " + to);
            }
            redirects.put(from, to);
            return this;
        }

        /** With false the server ignores {@code Range}, sends no {@code Accept-Ranges} and always answers 200. */
        public Builder ranges(boolean enabled) {
            this.ranges = enabled;
            return this;
        }

        /** Sends {@code Content-MD5} (base64 MD5 of the whole resource, also on 206 and HEAD). */
        public Builder contentMd5(boolean enabled) {
            this.contentMd5 = enabled;
            return this;
        }

        /** With false every response carries {@code Connection: close} and the connection ends after it. */
        public Builder keepAlive(boolean enabled) {
            this.keepAlive = enabled;
            return this;
        }

        /** Requires {@code X-Auth-Token: <token>}: 401 when missing, 403 when different. */
        public Builder authToken(String token) {
            this.authToken = requireNonNull(token, "token is null");
            return this;
        }

        /** Answers the first {@code count} requests with {@code status} (e.g. 503) and a short text body. */
        public Builder failFirst(int count, int status) {
            if (count < 0 || status < 100 || status > 599) {
                throw new IllegalArgumentException("count " + count + ", status " + status);
            }
            this.failCount = count;
            this.failStatus = status;
            return this;
        }

        /**
         * Cuts the connection after {@code bodyBytes} body bytes, for the first {@code count} responses whose
         * body is longer than that (headers promise the full length; the client sees the stream end early).
         */
        public Builder cutAfter(long bodyBytes, int count) {
            if (bodyBytes < 0 || count < 0) {
                throw new IllegalArgumentException("bodyBytes " + bodyBytes + ", count " + count);
            }
            this.cutAfterBytes = bodyBytes;
            this.cutCount = count;
            return this;
        }

        /** Sends nothing at all for {@code duration} before answering each of the first {@code count} requests. */
        public Builder stallFirst(int count, Duration duration) {
            if (count < 0) {
                throw new IllegalArgumentException("count must not be negative: " + count);
            }
            this.stallCount = count;
            this.stallDuration = requireNonNull(duration, "duration is null");
            return this;
        }

        /** Limits each connection's body rate to about {@code bytesPerSecond} (0: unlimited). */
        public Builder throttle(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("bytesPerSecond must not be negative: " + bytesPerSecond);
            }
            this.throttleBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** How long an idle keep-alive connection is kept (default 30 s). */
        public Builder idleTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout is null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idle timeout must be positive: " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** Listens on this address instead of 127.0.0.1 (e.g. {@code ::1}); always port 0. */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = requireNonNull(address, "address is null");
            return this;
        }

        /** Binds and starts serving; the caller closes the server. */
        public RangeHttpServer start() throws IOException {
            return new RangeHttpServer(this);
        }
    }

    /**
     * One request as the server saw it, with how it answered ({@code status} 0 while not answered yet; a stalled
     * request). Header names are lower case; {@code path} is {@code target} without the query.
     */
    public record RecordedRequest(String method, String target, String path, String range,
                                  Map<String, String> headers, int status, long bodyBytes) {
        public RecordedRequest {
            headers = Map.copyOf(headers);
        }

        /** A header by case-insensitive name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        static final class Builder {
            private final String method;
            private final String target;
            private final String path;
            private final String range;
            private final Map<String, String> headers;
            private volatile int status;
            private final AtomicLong bodyBytes = new AtomicLong();

            Builder(String method, String target, String path, String range, Map<String, String> headers) {
                this.method = method;
                this.target = target;
                this.path = path;
                this.range = range;
                this.headers = headers;
            }

            String method() {
                return method;
            }

            void status(int status) {
                this.status = status;
            }

            void addBodyBytes(long count) {
                bodyBytes.addAndGet(count);
            }

            RecordedRequest build() {
                return new RecordedRequest(method, target, path, range, headers, status, bodyBytes.get());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ private

    private record Entry(String path, Content content, String filename, String etag, String contentMd5,
                         String contentType, Map<String, String> headers) {
        static Entry of(String path, Content content, Consumer<ResourceSpec> configure) {
            requireNonNull(path, "path is null");
            requireNonNull(content, "content is null");
            requireNonNull(configure, "configure is null");
            if (!path.startsWith("/") || path.contains("?")) {
                throw new IllegalArgumentException("path must start with '/' and have no query: " + path);
            }
            ResourceSpec spec = new ResourceSpec();
            configure.accept(spec);
            return new Entry(path, content, spec.filename, spec.etag, spec.contentMd5, spec.contentType,
                    Map.copyOf(spec.headers));
        }
    }

    private static final class Settings {
        final Map<String, String> redirects;
        final boolean ranges;
        final boolean contentMd5;
        final boolean keepAlive;
        final String authToken;
        final int failCount;
        final int failStatus;
        final long cutAfterBytes;
        final int cutCount;
        final int stallCount;
        final Duration stallDuration;
        final long throttleBytesPerSecond;
        final Duration idleTimeout;
        final boolean tls;

        Settings(Builder builder) {
            this.tls = builder.tls != null;
            this.redirects = Map.copyOf(builder.redirects);
            this.ranges = builder.ranges;
            this.contentMd5 = builder.contentMd5;
            this.keepAlive = builder.keepAlive;
            this.authToken = builder.authToken;
            this.failCount = builder.failCount;
            this.failStatus = builder.failStatus;
            this.cutAfterBytes = builder.cutAfterBytes;
            this.cutCount = builder.cutCount;
            this.stallCount = builder.stallCount;
            this.stallDuration = builder.stallDuration;
            this.throttleBytesPerSecond = builder.throttleBytesPerSecond;
            this.idleTimeout = builder.idleTimeout;
        }
    }
}
