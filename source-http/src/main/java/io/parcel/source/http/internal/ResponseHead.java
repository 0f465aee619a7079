package io.parcel.source.http.internal;

import static java.util.Objects.requireNonNull;

/** Status line and header fields of one HTTP response. */
public record ResponseHead(int status, String reason, Headers headers) {
    public ResponseHead {
        requireNonNull(reason, "reason is null");
        requireNonNull(headers, "headers is null");
    }

    public boolean isRedirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
