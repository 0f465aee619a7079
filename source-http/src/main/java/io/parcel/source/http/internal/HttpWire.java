package io.parcel.source.http.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** HTTP/1.1 message framing: writing a GET request head and reading a response head. */
final class HttpWire {
    /** Longest status or header line accepted; a longer one is not a sane server. */
    static final int MAX_LINE_BYTES = 16 * 1024;
    /** Most header fields accepted in one response. */
    static final int MAX_HEADER_FIELDS = 200;

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private HttpWire() {
    }

    /** The request head, ready to write; the token appears only in these bytes. */
    static byte[] requestHead(URI uri, String userAgent, List<HeaderField> fields, Optional<AuthToken> token) {
        StringBuilder head = new StringBuilder(256);
        head.append("GET ").append(requestTarget(uri)).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostHeader(uri)).append("\r\n");
        boolean userAgentGiven = fields.stream().anyMatch(field -> field.named("User-Agent"));
        if (!userAgentGiven) {
            head.append("User-Agent: ").append(userAgent).append("\r\n");
        }
        head.append("Accept: */*\r\n");
        // Byte ranges count bytes as stored; a compressed representation would make them meaningless.
        head.append("Accept-Encoding: identity\r\n");
        // No "Connection: close": the connection may carry the next range once this response was read to its end.
        token.ifPresent(value -> head.append("X-Auth-Token: ").append(value.reveal()).append("\r\n"));
        for (HeaderField field : fields) {
            head.append(field.name()).append(": ").append(field.value()).append("\r\n");
        }
        head.append("\r\n");
        // Header values were checked to be free of control characters; non-ASCII goes out as UTF-8.
        return head.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String requestTarget(URI uri) {
        String path = uri.getRawPath();
        String target = path == null || path.isEmpty() ? "/" : path;
        return uri.getRawQuery() == null ? target : target + "?" + uri.getRawQuery();
    }

    static String hostHeader(URI uri) {
        int port = uri.getPort();
        return port == -1 || port == Urls.defaultPort(uri) ? uri.getHost() : uri.getHost() + ":" + port;
    }

    static void writeRequest(OutputStream out, byte[] head) throws IOException {
        out.write(head);
        out.flush();
    }

    /** Reads one response head, skipping interim (1xx) responses. */
    static ResponseHead readResponseHead(InputStream in) throws IOException {
        while (true) {
            String statusLine = readLine(in, true);
            int status = parseStatus(statusLine);
            Headers fields = readFields(in);
            boolean keepAlive = statusLine.startsWith("HTTP/1.1")
                    ? !fields.hasToken("Connection", "close")
                    : fields.hasToken("Connection", "keep-alive");
            ResponseHead head = new ResponseHead(status, parseReason(statusLine), fields, keepAlive);
            if (head.status() >= 200 || head.status() == 101) {
                return head;
            }
        }
    }

    private static int parseStatus(String line) throws ProtocolException {
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line: '" + printable(line) + "'");
        }
        String code = line.substring(9, 12);
        if (!code.chars().allMatch(c -> c >= '0' && c <= '9') || (line.length() > 12 && line.charAt(12) != ' ')) {
            throw new ProtocolException("bad status code in '" + printable(line) + "'");
        }
        return Integer.parseInt(code);
    }

    private static String parseReason(String line) {
        return line.length() > 13 ? line.substring(13).trim() : "";
    }

    private static Headers readFields(InputStream in) throws IOException {
        List<HeaderField> fields = new ArrayList<>();
        while (true) {
            String line = readLine(in, false);
            if (line.isEmpty()) {
                return new Headers(fields);
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !fields.isEmpty()) {
                // Obsolete line folding: the line continues the previous field's value.
                HeaderField last = fields.remove(fields.size() - 1);
                fields.add(field(last.name(), last.value() + " " + line.trim()));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed response header line: '" + printable(line) + "'");
            }
            if (fields.size() >= MAX_HEADER_FIELDS) {
                throw new ProtocolException("more than " + MAX_HEADER_FIELDS + " response header fields");
            }
            fields.add(field(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
    }

    private static HeaderField field(String name, String value) throws ProtocolException {
        try {
            return new HeaderField(name, value);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("malformed response header: " + e.getMessage());
        }
    }

    /** One line without its CRLF (a bare LF is tolerated), decoded as ISO-8859-1 as RFC 9110 allows. */
    static String readLine(InputStream in, boolean first) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(first && line.size() == 0
                        ? "connection closed before a response arrived"
                        : "connection closed in the middle of the response head");
            }
            if (b == LF) {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == CR ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw new ProtocolException("response head line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
    }

    private static String printable(String text) {
        String shortened = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return shortened.replaceAll("[\\p{Cntrl}]", "?");
    }
}
