package io.parcel.testsupport.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The HTTP/1.1 framing of one server-side connection: reads request heads (and skips request bodies), writes
 * response heads. Owned by one thread; the socket is owned by the caller.
 */
public final class HttpConnection {
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 100;

    private final InputStream in;
    private final OutputStream out;

    public HttpConnection(Socket socket) throws IOException {
        requireNonNull(socket, "socket is null");
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    public OutputStream output() {
        return out;
    }

    /** The next request's head, or null when the client closed the connection between requests. */
    public Request readRequest() throws IOException {
        String requestLine = readLine(true);
        while (requestLine != null && requestLine.isEmpty()) {
            requestLine = readLine(true); // tolerate stray CRLF between requests (RFC 9112 section 2.2)
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new ProtocolException("malformed request line: " + requestLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int count = 0; ; count++) {
            String line = readLine(false);
            if (line.isEmpty()) {
                break;
            }
            if (count >= MAX_HEADERS) {
                throw new ProtocolException("more than " + MAX_HEADERS + " headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed header line: " + line);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (first, second) -> first + ", " + second);
        }
        String length = headers.get("content-length");
        if (length != null) {
            try {
                in.skipNBytes(Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                throw new ProtocolException("malformed Content-Length: " + length);
            }
        }
        String target = parts[1];
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        boolean keepAlive = parts[2].equals("HTTP/1.1")
                ? !"close".equalsIgnoreCase(headers.get("connection"))
                : "keep-alive".equalsIgnoreCase(headers.get("connection"));
        if (headers.containsKey("transfer-encoding")) {
            keepAlive = false; // a chunked request body is not parsed; the connection cannot be reused after it
        }
        return new Request(parts[0], target, path, Map.copyOf(headers), keepAlive);
    }

    /** Writes a status line and headers (plus {@code Connection: close} when not keeping alive); not flushed. */
    public void writeHead(int status, String reason, Map<String, String> headers, boolean keepAlive)
            throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private String readLine(boolean endOfStreamAllowed) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b == -1) {
                if (endOfStreamAllowed && line.size() == 0) {
                    return null;
                }
                throw new ProtocolException("connection closed in the middle of a request head");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE) {
                throw new ProtocolException("request head line longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    /** A request head. Header names are lower case; repeated headers are joined with ", ". */
    public record Request(String method, String target, String path, Map<String, String> headers,
                          boolean keepAlive) {
        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }
}
