package io.parcel.source.http.internal;

import io.parcel.spi.TransferException;

import java.net.URI;
import java.util.Map;

/** Turns an unexpected HTTP status into a {@link TransferException} that says whether retrying may help. */
public final class StatusErrors {
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"), Map.entry(408, "Request Timeout"),
            Map.entry(410, "Gone"), Map.entry(416, "Range Not Satisfiable"), Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"), Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

    private StatusErrors() {
    }

    /**
     * The failure for {@code head} from {@code uri}.
     *
     * @param tokenSent whether a token went with the request, to give the right hint on 401/403
     * @param context   what was asked, e.g. "for bytes=0-99"; may be empty
     */
    public static TransferException of(ResponseHead head, URI uri, boolean tokenSent, String context) {
        int status = head.status();
        String reason = REASONS.getOrDefault(status, head.reason().isEmpty() ? "" : head.reason());
        StringBuilder message = new StringBuilder("HTTP ").append(status);
        if (!reason.isEmpty()) {
            message.append(' ').append(reason);
        }
        message.append(" from ").append(Urls.display(uri));
        if (!context.isEmpty()) {
            message.append(' ').append(context);
        }
        if (status == 401 || status == 403) {
            message.append(tokenSent ? " (check the token file)" : " (no token was sent; use --token-file)");
        }
        return new TransferException(message.toString(), retryable(status));
    }

    /** Timeouts, throttling and server errors pass; everything else the client asked wrongly and would ask again. */
    static boolean retryable(int status) {
        return status == 408 || status == 429 || (status >= 500 && status <= 599);
    }
}
