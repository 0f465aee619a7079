package io.parcel.source.http.testing;

import io.parcel.testsupport.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx on two loopback ports (HTTP and HTTPS) serving {@code <prefix>/html}, run in the foreground
 * ({@code daemon off; master_process off}) as a child process that {@link #close()} stops. Locations:
 * {@code /files/} open, {@code /private/} only with {@code X-Auth-Token: <token>}, {@code /old} a relative 302
 * to {@code /files/big.bin}.
 */
public final class NginxFixture implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 10_000;
    private static final int START_ATTEMPTS = 3;

    private final Process process;
    private final Path prefix;
    private final int httpPort;
    private final int httpsPort;

    private NginxFixture(Process process, Path prefix, int httpPort, int httpsPort) {
        this.process = process;
        this.prefix = prefix;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
    }

    /** The nginx binary, or a failure that says what to install. */
    public static Path binary() {
        for (String candidate : new String[] {"/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("nginx is needed for this end-to-end test: apt-get install nginx-light"
                + " (or nginx); .ci/run installs it");
    }

    public static NginxFixture start(Path prefix, String token, TestPki.Issued certificate)
            throws IOException, InterruptedException, java.security.GeneralSecurityException {
        Files.createDirectories(prefix.resolve("html/files"));
        Files.createDirectories(prefix.resolve("html/private"));
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("tmp"));
        Files.writeString(prefix.resolve("server.key"), certificate.keyPem());
        Files.writeString(prefix.resolve("server.crt"), certificate.chainPem());
        IOException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int httpPort = freePort();
            int httpsPort = freePort();
            Files.writeString(prefix.resolve("nginx.conf"), config(prefix, token, httpPort, httpsPort));
            Process process = new ProcessBuilder(binary().toString(), "-p", prefix.toString(), "-c",
                    prefix.resolve("nginx.conf").toString(), "-e", prefix.resolve("logs/error.log").toString())
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
            if (waitForPort(process, httpPort) && waitForPort(process, httpsPort)) {
                return new NginxFixture(process, prefix, httpPort, httpsPort);
            }
            stop(process);
            last = new IOException("nginx did not start (ports " + httpPort + ", " + httpsPort + "): "
                    + Files.readString(prefix.resolve("logs/error.log")));
        }
        throw last;
    }

    private static String config(Path prefix, String token, int httpPort, int httpsPort) {
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 128; }
                http {
                    access_log %1$s/logs/access.log;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    default_type application/octet-stream;
                    root %1$s/html;
                    server {
                        listen 127.0.0.1:%2$d;
                        listen 127.0.0.1:%3$d ssl;
                        server_name localhost;
                        ssl_certificate %1$s/server.crt;
                        ssl_certificate_key %1$s/server.key;
                        absolute_redirect off;
                        location /private/ {
                            if ($http_x_auth_token != "%4$s") { return 403; }
                        }
                        location = /old { return 302 /files/big.bin; }
                    }
                }
                """.formatted(prefix, httpPort, httpsPort, token);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean waitForPort(Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    public Path html() {
        return prefix.resolve("html");
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    /** An https URL naming {@code host} (which must resolve to 127.0.0.1). */
    public URI https(String host, String path) {
        return URI.create("https://" + host + ":" + httpsPort + path);
    }

    public String accessLog() throws IOException {
        Path log = prefix.resolve("logs/access.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        try {
            stop(process);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
