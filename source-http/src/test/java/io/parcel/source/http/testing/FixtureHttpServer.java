package io.parcel.source.http.testing;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 server on a loopback port, on raw sockets so a test can script exactly what goes on the wire:
 * ranges or none, chunked bodies, cut or stalled connections, redirects, any status. One request per connection.
 * Every request it saw is recorded with its headers.
 */
public final class FixtureHttpServer implements AutoCloseable {
    /** Longest any handler may stall; a test never waits on the fixture longer than this. */
    private static final long STALL_LIMIT_SECONDS = 20;

    private final ServerSocket serverSocket;
    private final String host;
    private final String scheme;
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread acceptor;

    /** What a route does with one request. */
    @FunctionalInterface
    public interface Handler {
        void handle(Request request, Reply reply) throws IOException;
    }

    /** One request as it arrived; header names lower-cased. */
    public record Request(String method, String target, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private FixtureHttpServer(ServerSocket serverSocket, String host, String scheme) {
        this.serverSocket = serverSocket;
        this.host = host;
        this.scheme = scheme;
        this.acceptor = Thread.ofVirtual().name("fixture-http-acceptor").start(this::acceptLoop);
    }

    public static FixtureHttpServer start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FixtureHttpServer(socket, "127.0.0.1", "http");
    }

    /** An HTTPS server whose URLs name {@code localhost}. */
    public static FixtureHttpServer startTls(SSLContext context) throws IOException {
        ServerSocket socket = context.getServerSocketFactory().createServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FixtureHttpServer(socket, "localhost", "https");
    }

    public FixtureHttpServer route(String path, Handler handler) {
        routes.put(path, handler);
        return this;
    }

    public URI url(String path) {
        return URI.create(scheme + "://" + host + ":" + serverSocket.getLocalPort() + path);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.add(socket);
                Thread.ofVirtual().name("fixture-http-connection").start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(STALL_LIMIT_SECONDS));
            Request request = readRequest(socket.getInputStream());
            requests.add(request);
            String path = URI.create(request.target()).getPath();
            Handler handler = routes.get(path);
            Reply reply = new Reply(socket.getOutputStream(), closed);
            if (handler == null) {
                reply.status(404, "Not Found").body(new byte[0]);
            } else {
                handler.handle(request, reply);
            }
            reply.out.flush();
        } catch (SocketException e) {
            // The client went away (e.g. it closed after reading the head); nothing to do.
        } catch (IOException | RuntimeException e) {
            // A fixture failure shows up in the test as a broken response.
        }
    }

    private static Request readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            throw new IOException("bad request line: " + requestLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Request(parts[0], parts[1], Map.copyOf(headers));
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i < 16384; i++) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the request head");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        throw new IOException("request line too long");
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        serverSocket.close();
        for (Socket socket : connections) {
            socket.close();
        }
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes one response; the connection closes when the handler returns. */
    public static final class Reply {
        private final OutputStream out;
        private final CountDownLatch serverClosed;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private int status = 200;
        private String reason = "OK";

        Reply(OutputStream out, CountDownLatch serverClosed) {
            this.out = out;
            this.serverClosed = serverClosed;
        }

        public Reply status(int code, String text) {
            status = code;
            reason = text;
            return this;
        }

        public Reply header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** The head as set so far plus Content-Length, then all of {@code body}. */
        public Reply body(byte[] body) throws IOException {
            headers.put("Content-Length", String.valueOf(body.length));
            writeHead();
            out.write(body);
            return this;
        }

        /** The head (the caller set any length header), then raw bytes: for cut, chunked or close-delimited bodies. */
        public Reply headThenRaw(byte[] raw) throws IOException {
            writeHead();
            out.write(raw);
            out.flush();
            return this;
        }

        /** Blocks (bounded) until the server closes: a peer that stopped sending. */
        public void stall() throws IOException {
            out.flush();
            try {
                serverClosed.await(STALL_LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void writeHead() throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
