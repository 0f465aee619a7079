package io.parcel.kernel.relay;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The relay's wire format: one request line from the client, one reply line from the relay, then raw bytes both ways.
 * <pre>
 * request: PARCEL-RELAY/1 CONNECT &lt;host&gt;:&lt;port&gt;[ TOKEN &lt;token&gt;]\n
 * reply:   PARCEL-RELAY/1 OK\n
 *          PARCEL-RELAY/1 REFUSED &lt;reason&gt;\n       (policy: token, allow list, bad request; never retried)
 *          PARCEL-RELAY/1 UNAVAILABLE &lt;reason&gt;\n   (upstream down, relay busy; worth a retry)
 * </pre>
 * Lines are printable US-ASCII (0x20 to 0x7E) ending in LF (a CR before it is tolerated), at most
 * {@link #MAX_LINE_BYTES} long. The magic is checked byte by byte as it arrives, so a peer that speaks anything else
 * (HTTP, TLS, a port scanner) is refused after its first wrong byte. Lines are read one byte at a time on purpose:
 * nothing past the LF may be consumed, because after the reply the connection belongs to the tunnelled protocol.
 */
final class RelayPreamble {
    /** Names the protocol; any other first bytes are refused at once. */
    static final String MAGIC = "PARCEL-RELAY/";
    /** The only version spoken; a different one is refused with a reason naming both. */
    static final int VERSION = 1;
    static final String PREFIX = MAGIC + VERSION + " ";
    static final String CONNECT = "CONNECT";
    static final String TOKEN = "TOKEN";
    /** Longest line, LF included: room for a 253-byte host name and a {@link #MAX_TOKEN_LENGTH} token. */
    static final int MAX_LINE_BYTES = 1024;
    static final int MAX_TOKEN_LENGTH = 512;
    static final int MAX_REASON_LENGTH = 300;
    /** Default for how long the relay waits for a whole request line (TLS handshake included); defeats slow loris. */
    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private static final byte LF = '\n';
    private static final byte CR = '\r';

    /** What a client asks for. The token is the raw text; never log it. */
    record Request(HostPort target, Optional<String> token) {
        Request {
            requireNonNull(target, "target is null");
            requireNonNull(token, "token is null");
        }

        @Override
        public String toString() {
            return "Request[" + target + (token.isPresent() ? ", with token" : "") + "]";
        }
    }

    /** The relay's answer. */
    enum Status {
        OK, REFUSED, UNAVAILABLE
    }

    record Reply(Status status, String reason) {
        Reply {
            requireNonNull(status, "status is null");
            requireNonNull(reason, "reason is null");
        }
    }

    private RelayPreamble() {
    }

    static byte[] encodeRequest(HostPort target, Optional<String> token) {
        requireNonNull(target, "target is null");
        requireNonNull(token, "token is null");
        token.ifPresent(RelayPreamble::checkToken);
        String line = PREFIX + CONNECT + " " + target + token.map(value -> " " + TOKEN + " " + value).orElse("") + "\n";
        return ascii(line);
    }

    static byte[] encodeReply(Status status, String reason) {
        requireNonNull(status, "status is null");
        requireNonNull(reason, "reason is null");
        String line = PREFIX + status + (status == Status.OK ? "" : " " + sanitize(reason)) + "\n";
        return ascii(line);
    }

    /** Parses a request line (without its LF). */
    static Request parseRequest(String line) throws ProtocolException {
        String rest = afterPrefix(line);
        String[] words = rest.split(" ", -1);
        if (words.length < 2 || !words[0].equals(CONNECT)) {
            // Only the first word is echoed: the rest may hold a token.
            throw new ProtocolException("expected '" + CONNECT + " HOST:PORT', got '" + abbreviate(words[0]) + " ...'");
        }
        HostPort target;
        try {
            target = HostPort.parse(words[1]);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("bad target '" + abbreviate(words[1]) + "': " + e.getMessage());
        }
        if (words.length == 2) {
            return new Request(target, Optional.empty());
        }
        if (words.length == 4 && words[2].equals(TOKEN) && validToken(words[3])) {
            return new Request(target, Optional.of(words[3]));
        }
        // Never echo what follows the target: it may be a mistyped token.
        throw new ProtocolException("malformed request after the target (expected nothing or '" + TOKEN + " <token>')");
    }

    /** Parses a reply line (without its LF). */
    static Reply parseReply(String line) throws ProtocolException {
        String rest = afterPrefix(line);
        int space = rest.indexOf(' ');
        String word = space < 0 ? rest : rest.substring(0, space);
        String reason = space < 0 ? "" : rest.substring(space + 1);
        for (Status status : Status.values()) {
            if (status.name().equals(word)) {
                if (status == Status.OK && !reason.isEmpty()) {
                    break;
                }
                return new Reply(status, reason.isEmpty() ? "no reason given" : reason);
            }
        }
        throw new ProtocolException("unknown reply '" + abbreviate(rest) + "'");
    }

    /**
     * Reads one line from {@code socket}, byte by byte, finishing before {@code deadlineNanos} (on {@code nanoTime}'s
     * scale) however slowly the bytes come. Changes the socket's read timeout; the caller restores it.
     *
     * @throws SocketTimeoutException when the line is not complete by the deadline
     * @throws ProtocolException      when the bytes are not a relay line (wrong magic, control bytes, too long)
     * @throws EOFException           when the peer closes before the line ends
     */
    static String readLine(Socket socket, long deadlineNanos, LongSupplier nanoTime) throws IOException {
        requireNonNull(socket, "socket is null");
        requireNonNull(nanoTime, "nanoTime is null");
        InputStream in = socket.getInputStream();
        byte[] line = new byte[MAX_LINE_BYTES];
        int length = 0;
        while (true) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - nanoTime.getAsLong());
            if (remainingMillis <= 0) {
                throw new SocketTimeoutException("relay preamble not complete within its deadline (" + length
                        + " bytes arrived)");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
            int next;
            try {
                next = in.read();
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("relay preamble not complete within its deadline (" + length
                        + " bytes arrived)");
            }
            if (next < 0) {
                throw new EOFException(length == 0 ? "connection closed before the relay preamble"
                        : "connection closed in the middle of the relay preamble");
            }
            byte b = (byte) next;
            if (b == LF) {
                int end = length > 0 && line[length - 1] == CR ? length - 1 : length;
                String text = new String(line, 0, end, StandardCharsets.US_ASCII);
                if (length < MAGIC.length()) {
                    throw new ProtocolException("relay preamble too short: '" + abbreviate(text) + "'");
                }
                return text;
            }
            if (length < MAGIC.length() && b != MAGIC.charAt(length)) {
                throw new ProtocolException("not a Parcel relay preamble: byte " + length + " is 0x"
                        + String.format("%02x", b & 0xff) + ", expected '" + MAGIC + "'");
            }
            if ((b < 0x20 || b > 0x7e) && b != CR) {
                throw new ProtocolException("relay preamble holds a control or non-ASCII byte 0x"
                        + String.format("%02x", b & 0xff) + " at offset " + length);
            }
            if (length == MAX_LINE_BYTES - 1) {
                throw new ProtocolException("relay preamble longer than " + MAX_LINE_BYTES + " bytes");
            }
            line[length++] = b;
        }
    }

    /** True for a token the preamble can carry: 1 to {@link #MAX_TOKEN_LENGTH} visible ASCII characters. */
    static boolean validToken(String token) {
        return !token.isEmpty() && token.length() <= MAX_TOKEN_LENGTH
                && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static void checkToken(String token) {
        if (!validToken(token)) {
            throw new IllegalArgumentException("a relay token is 1 to " + MAX_TOKEN_LENGTH
                    + " visible ASCII characters without spaces");
        }
    }

    private static String afterPrefix(String line) throws ProtocolException {
        requireNonNull(line, "line is null");
        if (!line.startsWith(MAGIC)) {
            throw new ProtocolException("not a Parcel relay line: '" + abbreviate(line) + "'");
        }
        if (!line.startsWith(PREFIX)) {
            int space = line.indexOf(' ');
            String version = line.substring(MAGIC.length(), space < 0 ? line.length() : space);
            throw new ProtocolException("unsupported relay protocol version '" + abbreviate(version)
                    + "' (this side speaks " + VERSION + ")");
        }
        return line.substring(PREFIX.length());
    }

    /** Printable ASCII only and bounded, so a reason can never break the line format or flood a log. */
    static String sanitize(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_REASON_LENGTH));
        for (int i = 0; i < text.length() && out.length() < MAX_REASON_LENGTH; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.isEmpty() ? "no reason given" : out.toString();
    }

    private static String abbreviate(String text) {
        String clean = sanitize(text);
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }

    private static byte[] ascii(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_LINE_BYTES) {
            throw new IllegalArgumentException("relay line longer than " + MAX_LINE_BYTES + " bytes");
        }
        return bytes;
    }
}
