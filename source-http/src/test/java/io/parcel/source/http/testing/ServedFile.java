package io.parcel.source.http.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link FixtureHttpServer.Handler} serving one byte array the way a file server does: single byte ranges with
 * 206/416, If-Range against its ETag, and switches for the misbehaviours tests need.
 */
public final class ServedFile implements FixtureHttpServer.Handler {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final byte[] data;
    private final Map<String, String> extraHeaders = new LinkedHashMap<>();
    private boolean ranges = true;
    private boolean chunked;
    private String etag;
    private long cutAfter = -1;
    private long stallAfter = -1;

    public ServedFile(byte[] data) {
        this.data = data.clone();
    }

    /** Like a server that knows nothing of ranges: always 200 with the whole body. */
    public ServedFile withoutRanges() {
        ranges = false;
        return this;
    }

    /** Sends the whole body chunked, without a length (and ignores Range). */
    public ServedFile chunked() {
        chunked = true;
        ranges = false;
        return this;
    }

    public ServedFile etag(String value) {
        etag = value;
        return header("ETag", value);
    }

    public ServedFile header(String name, String value) {
        extraHeaders.put(name, value);
        return this;
    }

    /** Closes the connection after this many body bytes, though the head promised more. */
    public ServedFile cutAfter(long bytes) {
        cutAfter = bytes;
        return this;
    }

    /** Stops sending (but keeps the connection open) after this many body bytes. */
    public ServedFile stallAfter(long bytes) {
        stallAfter = bytes;
        return this;
    }

    @Override
    public void handle(FixtureHttpServer.Request request, FixtureHttpServer.Reply reply) throws IOException {
        extraHeaders.forEach(reply::header);
        if (chunked) {
            reply.header("Transfer-Encoding", "chunked").headThenRaw(chunkedBody());
            return;
        }
        String range = request.header("Range");
        String ifRange = request.header("If-Range");
        boolean honourRange = ranges && range != null && (ifRange == null || ifRange.equals(etag));
        int start = 0;
        int end = data.length;
        if (honourRange) {
            Matcher matcher = RANGE.matcher(range);
            if (!matcher.matches()) {
                reply.status(400, "Bad Request").body(new byte[0]);
                return;
            }
            start = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(matcher.group(1)));
            end = matcher.group(2).isEmpty() ? data.length
                    : (int) Math.min(data.length, Long.parseLong(matcher.group(2)) + 1);
            if (start >= data.length) {
                reply.status(416, "Range Not Satisfiable").header("Content-Range", "bytes */" + data.length)
                        .body(new byte[0]);
                return;
            }
            reply.status(206, "Partial Content")
                    .header("Content-Range", "bytes " + start + "-" + (end - 1) + "/" + data.length);
        }
        if (ranges) {
            reply.header("Accept-Ranges", "bytes");
        }
        byte[] body = Arrays.copyOfRange(data, start, end);
        if (cutAfter >= 0 && cutAfter < body.length) {
            reply.header("Content-Length", String.valueOf(body.length))
                    .headThenRaw(Arrays.copyOf(body, (int) cutAfter));
        } else if (stallAfter >= 0 && stallAfter < body.length) {
            reply.header("Content-Length", String.valueOf(body.length))
                    .headThenRaw(Arrays.copyOf(body, (int) stallAfter)).stall();
        } else {
            reply.body(body);
        }
    }

    private byte[] chunkedBody() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int position = 0;
        int chunk = 1;
        while (position < data.length) {
            int length = Math.min(chunk, data.length - position);
            // Extensions on some chunk lines, as the RFC allows.
            String sizeLine = Integer.toHexString(length) + (chunk % 3 == 0 ? ";name=value" : "") + "\r\n";
            out.writeBytes(sizeLine.getBytes(StandardCharsets.US_ASCII));
            out.write(data, position, length);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            position += length;
            chunk = chunk * 7 + 1;
        }
        out.writeBytes("0\r\nX-Trailer: done\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
