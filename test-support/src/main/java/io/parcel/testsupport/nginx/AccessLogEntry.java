package io.parcel.testsupport.nginx;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One request as nginx logged it.
 *
 * @param method        the request method
 * @param path          the request URI (path and query)
 * @param status        the response status
 * @param bodyBytesSent response body bytes nginx wrote to the socket (not necessarily what the client read)
 * @param range         the request's Range header, if any
 */
public record AccessLogEntry(String method, String path, int status, long bodyBytesSent, Optional<String> range) {
    public AccessLogEntry {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requireNonNull(range, "range is null");
    }

    /** Parses one line written with {@link NginxConfig#LOG_FORMAT}. */
    static AccessLogEntry parse(String line) {
        requireNonNull(line, "line is null");
        // msec method status body_bytes request_time "range" uri
        String[] head = line.split(" ", 6);
        int rangeEnd = head.length == 6 ? head[5].indexOf("\" ", 1) : -1;
        if (head.length != 6 || !head[5].startsWith("\"") || rangeEnd < 0) {
            throw new IllegalArgumentException("not an access log line of NginxServer: " + line);
        }
        String range = head[5].substring(1, rangeEnd);
        String path = head[5].substring(rangeEnd + 2);
        return new AccessLogEntry(head[1], path, Integer.parseInt(head[2]), Long.parseLong(head[3]),
                range.isEmpty() || "-".equals(range) ? Optional.empty() : Optional.of(range));
    }
}
