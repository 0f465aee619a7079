package io.parcel.testsupport.nginx;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real nginx, started as a child process on a free 127.0.0.1 port, with its own prefix directory (config, pid,
 * logs, temp files), so it touches no global state and several can run at once.
 *
 * <p>It serves one directory at {@code /}, and optionally GDC-like {@code /data/<id>} locations that map an id to a
 * file with a {@code Content-Disposition} (and optionally {@code Content-MD5}) header. Options: an
 * {@code X-Auth-Token} that every request must carry (401 when absent, 403 when wrong), TLS with a CA and server
 * certificate generated at start-up, and {@code max_ranges 0} (a server that ignores Range).
 *
 * <p>When nginx is not installed, {@link Builder#start()} aborts the calling test (a skip), unless the environment
 * variable {@code CI} is set: then it fails loudly, because CI is expected to have installed it.
 *
 * <p>One owner: the test that started it closes it. {@link #close()} stops nginx by PID (SIGTERM, then SIGKILL after
 * a timeout) and deletes the prefix directory; the served directory and data files belong to the caller and stay.
 */
public final class NginxServer implements AutoCloseable {
    /** Where Debian installs nginx; {@code NGINX_BIN} overrides. */
    public static final Path DEFAULT_NGINX = Path.of("/usr/sbin/nginx");
    /** Password of the PKCS12 trust store returned by {@link #trustStore()}. */
    public static final String TRUST_STORE_PASSWORD = "changeit";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int START_ATTEMPTS = 5;
    // Tokens and names are written into nginx.conf: a closed character set keeps the config free of injection.
    private static final Pattern SAFE_TOKEN = Pattern.compile("[A-Za-z0-9._+/=-][A-Za-z0-9._~+/=-]{0,255}");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final Pattern SAFE_HEADER_VALUE = Pattern.compile("[\\x20-\\x7e&&[^'\"\\\\;{}$]]{1,200}");

    private final Process process;
    private final Path prefix;
    private final int port;
    private final boolean tls;
    private final Optional<TestCertificateAuthority.Material> certificates;
    private boolean closed;

    private NginxServer(Process process, Path prefix, int port, boolean tls,
                        Optional<TestCertificateAuthority.Material> certificates) {
        this.process = requireNonNull(process, "process is null");
        this.prefix = requireNonNull(prefix, "prefix is null");
        this.port = port;
        this.tls = tls;
        this.certificates = requireNonNull(certificates, "certificates is null");
    }

    /** A builder for a server of {@code root} (served at {@code /}). */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://localhost:PORT} (the certificate names both). */
    public String baseUrl() {
        return (tls ? "https://localhost:" : "http://127.0.0.1:") + port;
    }

    /** The URL of {@code path} (must start with '/'), e.g. {@code url("/a.bin")}. */
    public String url(String path) {
        requireNonNull(path, "path is null");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        return baseUrl() + path;
    }

    /** The GDC-like URL of a data file: {@code <baseUrl>/data/<id>}. */
    public String dataUrl(String id) {
        return url("/data/" + requireNonNull(id, "id is null"));
    }

    public int port() {
        return port;
    }

    /** The PID of the nginx master process. */
    public long pid() {
        return process.pid();
    }

    /** The test CA's certificate (PEM); present only for a TLS server. */
    public Path caCertificate() {
        return tlsMaterial().caCertificate();
    }

    /** A PKCS12 trust store holding only the test CA (password {@link #TRUST_STORE_PASSWORD}). */
    public Path trustStore() {
        return tlsMaterial().trustStore();
    }

    public Path accessLogFile() {
        return prefix.resolve("logs/access.log");
    }

    public Path errorLogFile() {
        return prefix.resolve("logs/error.log");
    }

    /**
     * The requests nginx has logged so far. nginx logs a request when it ends (also when the client went away
     * mid-body), so a request still in progress is not listed yet.
     */
    public List<AccessLogEntry> accessLog() {
        try {
            if (!Files.exists(accessLogFile())) {
                return List.of();
            }
            List<AccessLogEntry> entries = new ArrayList<>();
            for (String line : Files.readAllLines(accessLogFile(), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    entries.add(AccessLogEntry.parse(line));
                }
            }
            return List.copyOf(entries);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + accessLogFile(), e);
        }
    }

    /** The sum of response body bytes nginx wrote for logged requests whose path starts with {@code pathPrefix}. */
    public long bodyBytesSent(String pathPrefix) {
        requireNonNull(pathPrefix, "pathPrefix is null");
        return accessLog().stream()
                .filter(entry -> entry.path().startsWith(pathPrefix))
                .mapToLong(AccessLogEntry::bodyBytesSent)
                .sum();
    }

    /** Stops nginx (SIGTERM, then SIGKILL after a timeout) and deletes the prefix directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(process);
        }
        finally {
            deleteRecursively(prefix);
        }
    }

    private TestCertificateAuthority.Material tlsMaterial() {
        return certificates.orElseThrow(() -> new IllegalStateException("this nginx was started without TLS"));
    }

    /** MD5 of a file as lower-case hex (the form of a GDC manifest's md5 column). */
    public static String md5Hex(Path file) {
        return HexFormat.of().formatHex(md5(file));
    }

    /** MD5 of a file as base64 of the 16 bytes (the form RFC 1864 gives {@code Content-MD5}). */
    public static String md5Base64(Path file) {
        return Base64.getEncoder().encodeToString(md5(file));
    }

    private static byte[] md5(Path file) {
        requireNonNull(file, "file is null");
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return digest.digest();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    static void stop(Process process) {
        // Workers are reparented once the master dies, so they are collected before any kill.
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (InterruptedException e) {
            workers.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** A data file served at {@code /data/<id>}. */
    record DataFile(String id, Path file, String fileName, Optional<String> contentMd5) {
        DataFile {
            requireNonNull(id, "id is null");
            requireNonNull(file, "file is null");
            requireNonNull(fileName, "fileName is null");
            requireNonNull(contentMd5, "contentMd5 is null");
        }
    }

    /** Configures and starts an {@link NginxServer}. Not thread-safe; one builder starts one server. */
    public static final class Builder {
        private final Path root;
        private final Map<String, DataFile> dataFiles = new LinkedHashMap<>();
        private Optional<String> token = Optional.empty();
        private boolean tls;
        private boolean ranges = true;
        private Optional<Long> limitRate = Optional.empty();

        private Builder(Path root) {
            this.root = requireNonNull(root, "root is null").toAbsolutePath();
        }

        /** Every request must carry {@code X-Auth-Token: token}: 401 when the header is missing, 403 when wrong. */
        public Builder requireToken(String token) {
            requireNonNull(token, "token is null");
            if (!SAFE_TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException("token must match " + SAFE_TOKEN + ": " + token.length() + " chars given");
            }
            this.token = Optional.of(token);
            return this;
        }

        /** Serves {@code file} at {@code /data/<id>} with {@code Content-Disposition: attachment; filename="fileName"}. */
        public Builder dataFile(String id, Path file, String fileName) {
            return addDataFile(id, file, fileName, Optional.empty());
        }

        /** As {@link #dataFile(String, Path, String)}, plus a {@code Content-MD5: contentMd5} header (sent as given). */
        public Builder dataFile(String id, Path file, String fileName, String contentMd5) {
            return addDataFile(id, file, fileName, Optional.of(requireNonNull(contentMd5, "contentMd5 is null")));
        }

        /** HTTPS with a server certificate for localhost and 127.0.0.1 signed by a CA made now. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** {@code max_ranges 0}: Range headers are ignored, every GET answers 200 with the whole body. */
        public Builder noRanges() {
            this.ranges = false;
            return this;
        }

        /** nginx's {@code limit_rate} per connection, in bytes per second; keeps a download running long enough to kill it. */
        public Builder limitRate(long bytesPerSecond) {
            if (bytesPerSecond <= 0) {
                throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
            }
            this.limitRate = Optional.of(bytesPerSecond);
            return this;
        }

        private Builder addDataFile(String id, Path file, String fileName, Optional<String> contentMd5) {
            requireNonNull(id, "id is null");
            requireNonNull(file, "file is null");
            requireNonNull(fileName, "fileName is null");
            if (!SAFE_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("id must match " + SAFE_ID + ": " + id);
            }
            if (!SAFE_HEADER_VALUE.matcher(fileName).matches()) {
                throw new IllegalArgumentException("fileName must be printable ASCII without quotes, ';', '$', braces or '\\': " + fileName);
            }
            contentMd5.ifPresent(md5 -> {
                if (!SAFE_HEADER_VALUE.matcher(md5).matches()) {
                    throw new IllegalArgumentException("contentMd5 has characters nginx.conf cannot hold: " + md5);
                }
            });
            if (dataFiles.putIfAbsent(id, new DataFile(id, file.toAbsolutePath(), fileName, contentMd5)) != null) {
                throw new IllegalArgumentException("duplicate data file id: " + id);
            }
            return this;
        }

        /**
         * Writes the prefix, starts nginx and waits until its port accepts connections.
         *
         * @throws org.opentest4j.TestAbortedException when nginx is not installed and {@code CI} is not set
         * @throws IllegalStateException when nginx is missing in CI, or does not start (the message quotes its error log)
         */
        public NginxServer start() {
            Path nginx = NginxBinary.locate();
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("root is not a directory: " + root);
            }
            Path prefix;
            try {
                prefix = Files.createTempDirectory("parcel-nginx-");
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot create an nginx prefix directory", e);
            }
            try {
                Optional<TestCertificateAuthority.Material> certificates = tls
                        ? Optional.of(TestCertificateAuthority.create(prefix.resolve("tls")))
                        : Optional.empty();
                NginxConfig config = new NginxConfig(root, List.copyOf(dataFiles.values()), token, ranges, limitRate,
                        certificates, isRoot());
                IllegalStateException lastFailure = null;
                for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                    int port = freePort();
                    try {
                        Process process = launch(nginx, prefix, config.render(prefix, port), port);
                        return new NginxServer(process, prefix, port, tls, certificates);
                    }
                    catch (PortTakenException e) {
                        // Another process took the port between our probe and nginx's bind: try another one.
                        lastFailure = new IllegalStateException(e.getMessage());
                    }
                }
                throw requireNonNull(lastFailure);
            }
            catch (RuntimeException e) {
                deleteRecursively(prefix);
                throw e;
            }
        }

        private static Process launch(Path nginx, Path prefix, String config, int port) {
            Path conf = prefix.resolve("conf/nginx.conf");
            Path errorLog = prefix.resolve("logs/error.log");
            try {
                for (String dir : List.of("conf", "logs", "tmp")) {
                    Files.createDirectories(prefix.resolve(dir));
                }
                Files.deleteIfExists(errorLog);
                Files.deleteIfExists(prefix.resolve("logs/access.log"));
                Files.deleteIfExists(prefix.resolve("nginx.pid"));
                Files.writeString(conf, config, StandardCharsets.UTF_8);
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot write " + conf, e);
            }
            // -e: the compiled-in error log (/var/log/nginx) is opened before nginx.conf is read.
            ProcessBuilder builder = new ProcessBuilder(nginx.toString(), "-p", prefix.toString(),
                    "-e", errorLog.toString(), "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("logs/nginx.out").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Process process;
            try {
                process = builder.start();
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot start " + nginx, e);
            }
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    if (!process.isAlive()) {
                        String log = readQuietly(errorLog) + readQuietly(prefix.resolve("logs/nginx.out"));
                        if (log.contains("Address already in use")) {
                            throw new PortTakenException("port " + port + " was taken: " + log.strip());
                        }
                        throw new IllegalStateException("nginx exited with " + process.exitValue()
                                + " before listening on 127.0.0.1:" + port + "; its log says: " + log.strip());
                    }
                    // The pid file is written once the sockets are bound: without it, whatever answers is not ours.
                    if (Files.exists(prefix.resolve("nginx.pid")) && answers(port)) {
                        return process;
                    }
                    Thread.sleep(20);
                }
            }
            catch (InterruptedException e) {
                stop(process);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for nginx", e);
            }
            catch (RuntimeException e) {
                stop(process);
                throw e;
            }
            stop(process);
            throw new IllegalStateException("nginx did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT
                    + "; its log says: " + readQuietly(errorLog).strip());
        }

        private static boolean answers(int port) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            }
            catch (IOException e) {
                return false;
            }
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
            catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port", e);
            }
        }

        private static boolean isRoot() {
            // /proc/self belongs to the effective user; nginx needs "user root;" only when that is root.
            try {
                return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            }
            catch (IOException | UnsupportedOperationException e) {
                return "root".equals(System.getProperty("user.name"));
            }
        }

        private static String readQuietly(Path file) {
            try {
                return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            }
            catch (IOException e) {
                return "(cannot read " + file + ": " + e + ")";
            }
        }
    }

    private static final class PortTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
