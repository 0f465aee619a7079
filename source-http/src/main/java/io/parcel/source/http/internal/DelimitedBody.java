package io.parcel.source.http.internal;

/**
 * A response body whose end the framing marks (a length or the last chunk), so the connection can carry the next
 * request once the body was read to that end.
 */
interface DelimitedBody {
    /** Body bytes still to come, or -1 when the framing does not say (chunked before its last chunk). */
    long remainingIfKnown();

    /** True once the body was read to its end; the next byte on the connection belongs to the next response. */
    default boolean atEnd() {
        return remainingIfKnown() == 0;
    }
}
