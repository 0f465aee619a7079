package io.parcel.cli.internal.demo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
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
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A small HTTP/1.1 server on 127.0.0.1 that serves one file of {@link DemoData} with what a download server sends:
 * {@code Accept-Ranges}, single byte ranges (206, 416), {@code Content-Disposition}, {@code Content-MD5}, an {@code
 * ETag}, and keep-alive. It answers GET and HEAD for {@code /<name>} and nothing else. Used by {@code parcel demo} so
 * a newcomer watches the real download pipeline with nothing to set up.
 */
public final class DemoServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DemoServer.class.getName());
    private static final int MAX_CONNECTIONS = 64;
    private static final int IDLE_TIMEOUT_MILLIS = 30_000;
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 100;
    private static final int MAX_REQUESTS_PER_CONNECTION = 100_000;
    private static final int CHUNK = 64 * 1024;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final DemoData data;
    private final DemoData.Md5 md5;
    private final String fileName;
    private final ServerSocket serverSocket;
    private final ExecutorService workers;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private DemoServer(DemoData data, DemoData.Md5 md5, String fileName, ServerSocket serverSocket) {
        this.data = data;
        this.md5 = md5;
        this.fileName = fileName;
        this.serverSocket = serverSocket;
        this.workers = Executors.newCachedThreadPool(runnable -> daemon(runnable, "parcel-demo-server"));
        this.acceptor = daemon(this::acceptLoop, "parcel-demo-accept");
    }

    /** Listens on a free loopback port and starts serving; the caller closes the server. */
    public static DemoServer start(DemoData data, DemoData.Md5 md5, String fileName) throws IOException {
        requireNonNull(data, "data is null");
        requireNonNull(md5, "md5 is null");
        requireNonNull(fileName, "fileName is null");
        if (!fileName.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("file name must be plain: " + fileName);
        }
        ServerSocket serverSocket = new ServerSocket();
        try {
            serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        DemoServer server = new DemoServer(data, md5, fileName, serverSocket);
        server.acceptor.start();
        return server;
    }

    /** The URL of the file. */
    public URI uri() {
        return URI.create("http://" + serverSocket.getInetAddress().getHostAddress() + ":"
                + serverSocket.getLocalPort() + "/" + fileName);
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the demo server socket failed", e);
        }
        for (Socket socket : connections) {
            closeQuietly(socket);
        }
        workers.shutdownNow();
        try {
            acceptor.join(5_000);
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "demo server threads did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!serverSocket.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "demo server stopped accepting: " + e.getMessage());
                }
                return;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                closeQuietly(socket);
                continue;
            }
            connections.add(socket);
            try {
                workers.execute(() -> serve(socket));
            } catch (RuntimeException e) {
                connections.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), CHUNK);
            byte[] buffer = new byte[CHUNK];
            for (int request = 0; request < MAX_REQUESTS_PER_CONNECTION; request++) {
                String requestLine = readLine(in);
                if (requestLine == null) {
                    return;
                }
                Map<String, String> headers = readHeaders(in);
                boolean keepAlive = respond(requestLine, headers, out, buffer);
                out.flush();
                if (!keepAlive) {
                    return;
                }
            }
        } catch (SocketException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "demo connection ended: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "demo connection failed", e);
        } finally {
            connections.remove(socket);
        }
    }

    /** Answers one request; false when the connection must close after it. */
    private boolean respond(String requestLine, Map<String, String> headers, OutputStream out, byte[] buffer)
            throws IOException {
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            writeHead(out, 400, "Bad Request", Map.of("Content-Length", "0", "Connection", "close"));
            return false;
        }
        boolean keepAlive = parts[2].equals("HTTP/1.1") && !"close".equalsIgnoreCase(headers.get("connection"));
        String connection = keepAlive ? "keep-alive" : "close";
        String method = parts[0];
        String path = parts[1].replaceFirst("\\?.*$", "");
        if (headers.containsKey("content-length") && !headers.get("content-length").equals("0")
                || headers.containsKey("transfer-encoding")) {
            writeHead(out, 400, "Bad Request", Map.of("Content-Length", "0", "Connection", "close"));
            return false;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            writeHead(out, 405, "Method Not Allowed",
                    Map.of("Allow", "GET, HEAD", "Content-Length", "0", "Connection", connection));
            return keepAlive;
        }
        if (!path.equals("/" + fileName)) {
            byte[] body = "not found\n".getBytes(StandardCharsets.US_ASCII);
            writeHead(out, 404, "Not Found", Map.of("Content-Type", "text/plain", "Content-Length",
                    Integer.toString(body.length), "Connection", connection));
            if (method.equals("GET")) {
                out.write(body);
            }
            return keepAlive;
        }

        long size = data.size();
        long first = 0;
        long last = size - 1;
        int status = 200;
        String range = headers.get("range");
        Matcher matcher = range == null ? null : RANGE.matcher(range.strip());
        // A Range header we do not understand (several ranges, other units) is ignored, as RFC 9110 allows.
        if (matcher != null && matcher.matches() && !(matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
            if (matcher.group(1).isEmpty()) {
                long suffix = Long.parseLong(matcher.group(2));
                first = Math.max(0, size - suffix);
            } else {
                first = Long.parseLong(matcher.group(1));
                if (!matcher.group(2).isEmpty()) {
                    last = Math.min(last, Long.parseLong(matcher.group(2)));
                }
            }
            if (first >= size || first > last) {
                writeHead(out, 416, "Range Not Satisfiable", Map.of("Content-Range", "bytes */" + size,
                        "Content-Length", "0", "Connection", connection));
                return keepAlive;
            }
            status = 206;
        }
        long length = last - first + 1;
        Map<String, String> response = new java.util.LinkedHashMap<>();
        response.put("Content-Type", "application/octet-stream");
        response.put("Content-Length", Long.toString(Math.max(0, length)));
        response.put("Accept-Ranges", "bytes");
        response.put("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
        // The whole file's MD5 on every response, partial ones too: that is what download clients check at the end.
        response.put("Content-MD5", md5.base64());
        response.put("ETag", "\"" + md5.hex() + "\"");
        response.put("Last-Modified", "Sat, 21 Nov 2026 00:00:00 GMT");
        if (status == 206) {
            response.put("Content-Range", "bytes " + first + "-" + last + "/" + size);
        }
        response.put("Connection", connection);
        writeHead(out, status, status == 206 ? "Partial Content" : "OK", response);
        if (method.equals("GET")) {
            for (long offset = first; offset <= last; ) {
                int count = (int) Math.min(buffer.length, last - offset + 1);
                data.fill(offset, buffer, count);
                out.write(buffer, 0, count);
                offset += count;
            }
        }
        return keepAlive;
    }

    private static void writeHead(OutputStream out, int status, String reason, Map<String, String> headers)
            throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Server: parcel-demo\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Header fields by lower-case name; a repeated field keeps its last value. */
    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new HashMap<>();
        for (int count = 0; count <= MAX_HEADERS; count++) {
            String line = readLine(in);
            if (line == null) {
                throw new IOException("connection closed inside the request head");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        throw new IOException("more than " + MAX_HEADERS + " request header fields");
    }

    /** One line without its CR LF; null at the end of the stream before any byte. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (line.size() <= MAX_LINE) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new IOException("connection closed inside a line");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        throw new IOException("request line longer than " + MAX_LINE + " bytes");
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a demo connection failed", e);
        }
    }
}
