package io.parcel.source.http.internal;

/**
 * A response body whose end the framing marks (a length or the last chunk), so the connection can carry the next
 * request once the body was read to that end.
 */
interface DelimitedBody {
    /** True once the body was read to its end; the next byte on the connection belongs to the next response. */
    boolean atEnd();

    /** Body bytes still to come, or -1 when the framing does not say (chunked). */
    long remainingIfKnown();
}
