package io.parcel.kernel.relay;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelayPreambleTest {
    private Socket writer;
    private Socket reader;

    @BeforeEach
    void connectPair() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            writer = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            listener.setSoTimeout(5000);
            reader = listener.accept();
        }
    }

    @AfterEach
    void closePair() throws IOException {
        writer.close();
        reader.close();
    }

    @Test
    void requestRoundTripsWithAndWithoutToken() throws IOException {
        HostPort target = new HostPort("data.example.org", 443);
        writer.getOutputStream().write(RelayPreamble.encodeRequest(target, Optional.of("s3cr3t-T0ken")));
        writer.getOutputStream().write(RelayPreamble.encodeRequest(new HostPort("::1", 80), Optional.empty()));
        writer.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));

        RelayPreamble.Request first = RelayPreamble.parseRequest(readLine(5000));
        assertEquals(target, first.target());
        assertEquals(Optional.of("s3cr3t-T0ken"), first.token());
        assertFalse(first.toString().contains("s3cr3t"), "a request never prints its token");
        RelayPreamble.Request second = RelayPreamble.parseRequest(readLine(5000));
        assertEquals(new HostPort("::1", 80), second.target());
        assertEquals(Optional.empty(), second.token());
        assertArrayEquals("after".getBytes(StandardCharsets.US_ASCII), reader.getInputStream().readNBytes(5),
                "nothing past the line is consumed: it belongs to the tunnelled protocol");
    }

    @Test
    void replyRoundTrips() throws IOException {
        writer.getOutputStream().write(RelayPreamble.encodeReply(RelayPreamble.Status.OK, ""));
        writer.getOutputStream().write(RelayPreamble.encodeReply(RelayPreamble.Status.REFUSED,
                "example.org:443 is not in the allow list\nPARCEL-RELAY/1 OK"));
        assertEquals(RelayPreamble.Status.OK, RelayPreamble.parseReply(readLine(5000)).status());
        RelayPreamble.Reply refused = RelayPreamble.parseReply(readLine(5000));
        assertEquals(RelayPreamble.Status.REFUSED, refused.status());
        assertEquals("example.org:443 is not in the allow list?PARCEL-RELAY/1 OK", refused.reason(),
                "a reason cannot smuggle a second line");
    }

    @Test
    void garbageIsRefusedAtItsFirstWrongByte() throws IOException {
        writer.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        ProtocolException e = assertThrows(ProtocolException.class, () -> readLine(5000));
        assertTrue(e.getMessage().contains("not a Parcel relay preamble: byte 0"), e.getMessage());
        assertEquals('E', reader.getInputStream().read(), "only the first byte was read");
    }

    @Test
    void aTlsClientHelloIsRefusedAtOnce() throws IOException {
        writer.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
        ProtocolException e = assertThrows(ProtocolException.class, () -> readLine(5000));
        assertTrue(e.getMessage().contains("0x16"), e.getMessage());
    }

    @Test
    void anOverlongLineIsRefused() throws IOException {
        String line = RelayPreamble.PREFIX + "CONNECT " + "a".repeat(RelayPreamble.MAX_LINE_BYTES) + ":443\n";
        writer.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
        ProtocolException e = assertThrows(ProtocolException.class, () -> readLine(5000));
        assertTrue(e.getMessage().contains("longer than " + RelayPreamble.MAX_LINE_BYTES), e.getMessage());
    }

    @Test
    void controlBytesAreRefused() throws IOException {
        writer.getOutputStream().write((RelayPreamble.PREFIX + "CONNECT a\u0000b:443\n").getBytes(StandardCharsets.ISO_8859_1));
        assertThrows(ProtocolException.class, () -> readLine(5000));
    }

    @Test
    void aSlowLorisIsCutAtTheDeadlineNotAtEachByte() throws Exception {
        OutputStream out = writer.getOutputStream();
        byte[] endless = (RelayPreamble.PREFIX + "CONNECT " + "a".repeat(100)).getBytes(StandardCharsets.US_ASCII);
        // A byte every 40 ms for about 5 s: every single read is quick, the line never ends.
        Thread trickle = Thread.ofVirtual().start(() -> {
            try {
                for (byte b : endless) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(40);
                }
            } catch (IOException | InterruptedException e) {
                // The reader gave up and the test closes the pair.
            }
        });
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> readLine(400));
        assertTrue(e.getMessage().contains("deadline"), e.getMessage());
        assertTrue(trickle.isAlive(), "cut by the overall deadline while bytes were still trickling in");
        trickle.interrupt();
        trickle.join(5000);
    }

    @Test
    void anEarlyCloseIsEndOfStream() throws IOException {
        writer.getOutputStream().write("PARCEL-RE".getBytes(StandardCharsets.US_ASCII));
        writer.shutdownOutput();
        assertThrows(java.io.EOFException.class, () -> readLine(5000));
    }

    @Test
    void parsingRefusesOtherVersionsVerbsAndTrailingJunkWithoutEchoingTokens() {
        ProtocolException version = assertThrows(ProtocolException.class,
                () -> RelayPreamble.parseRequest("PARCEL-RELAY/2 CONNECT a:1"));
        assertTrue(version.getMessage().contains("version '2'"), version.getMessage());
        assertThrows(ProtocolException.class, () -> RelayPreamble.parseRequest("PARCEL-RELAY/1 BIND a:1"));
        assertThrows(ProtocolException.class, () -> RelayPreamble.parseRequest("PARCEL-RELAY/1 CONNECT a"));
        ProtocolException junk = assertThrows(ProtocolException.class,
                () -> RelayPreamble.parseRequest("PARCEL-RELAY/1 CONNECT a:1 TOKN hunter2"));
        assertFalse(junk.getMessage().contains("hunter2"), junk.getMessage());
        ProtocolException verb = assertThrows(ProtocolException.class,
                () -> RelayPreamble.parseRequest("PARCEL-RELAY/1 CONECT a:1 TOKEN hunter2"));
        assertFalse(verb.getMessage().contains("hunter2"), verb.getMessage());
        assertThrows(ProtocolException.class, () -> RelayPreamble.parseReply("PARCEL-RELAY/1 MAYBE"));
        assertThrows(IllegalArgumentException.class,
                () -> RelayPreamble.encodeRequest(new HostPort("a", 1), Optional.of("has space")));
    }

    private String readLine(long timeoutMillis) throws IOException {
        return RelayPreamble.readLine(reader, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
                System::nanoTime);
    }
}
