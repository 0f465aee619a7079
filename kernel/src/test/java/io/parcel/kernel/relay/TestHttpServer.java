package io.parcel.kernel.relay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JDK's HTTP(S) server on loopback serving one byte array at {@code /file} with single-range support, the way
 * nginx answers the HTTP source (206 with Content-Range, 416 past the end).
 */
final class TestHttpServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final byte[] content;

    private TestHttpServer(HttpServer server, byte[] content) {
        this.server = server;
        this.content = content;
        server.createContext("/file", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    static TestHttpServer http(byte[] content) throws IOException {
        return new TestHttpServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64),
                content);
    }

    static TestHttpServer https(byte[] content, SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return new TestHttpServer(server, content);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String range = exchange.getRequestHeaders().getFirst("Range");
            exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
            exchange.getResponseHeaders().add("ETag", "\"v1\"");
            if (range == null) {
                exchange.sendResponseHeaders(200, content.length);
                write(exchange, 0, content.length);
                return;
            }
            Matcher matcher = RANGE.matcher(range);
            if (!matcher.matches() || Long.parseLong(matcher.group(1)) >= content.length) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            int first = Integer.parseInt(matcher.group(1));
            int last = matcher.group(2).isEmpty() ? content.length - 1
                    : (int) Math.min(content.length - 1, Long.parseLong(matcher.group(2)));
            exchange.getResponseHeaders().add("Content-Range", "bytes " + first + "-" + last + "/" + content.length);
            exchange.sendResponseHeaders(206, last - first + 1);
            write(exchange, first, last - first + 1);
        }
    }

    private void write(HttpExchange exchange, int offset, int length) throws IOException {
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(content, offset, length);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
