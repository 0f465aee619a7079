package io.parcel.source.http.internal;

import static java.util.Objects.requireNonNull;

/**
 * Status line and header fields of one HTTP response; {@code keepAlive} when the server lets the connection carry
 * another request after this response (HTTP/1.1 without {@code Connection: close}, or HTTP/1.0 with
 * {@code Connection: keep-alive}).
 */
public record ResponseHead(int status, String reason, Headers headers, boolean keepAlive) {
    public ResponseHead {
        requireNonNull(reason, "reason is null");
        requireNonNull(headers, "headers is null");
    }

    public boolean isRedirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
