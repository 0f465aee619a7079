package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.cc.NativeCongestionControl;
import io.parcel.transport.udt.internal.wire.ControlPacket;
import io.parcel.transport.udt.internal.wire.Handshake;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.parcel.transport.udt.internal.core.InMemoryLink.MILLI;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest {
    private static List<ByteBuffer> handshakes(InMemoryLink link) {
        List<ByteBuffer> result = new ArrayList<>();
        for (InMemoryLink.Datagram datagram : link.delivered) {
            if (datagram.isControl(ControlPacket.TYPE_HANDSHAKE)) {
                result.add(datagram.buffer());
            }
        }
        return result;
    }

    @Test
    void clientAndServerConnectThroughTheCookieExchange() {
        InMemoryLink link = new InMemoryLink();
        link.connectClient(0x1234);
        link.deliverAll();

        assertEquals(UdtConnection.State.CONNECTED, link.client.state());
        assertEquals(UdtConnection.State.CONNECTED, link.server.state());
        List<ByteBuffer> handshakes = handshakes(link);
        assertEquals(4, handshakes.size());
        assertEquals(Handshake.REQUEST_CONNECT, Handshake.requestType(handshakes.get(0)));
        assertEquals(0, Handshake.cookie(handshakes.get(0)));
        int cookie = Handshake.cookie(handshakes.get(1));
        assertNotEquals(0, cookie);
        assertEquals(Handshake.REQUEST_CONNECT, Handshake.requestType(handshakes.get(1)), "4.11 echoes type 1");
        assertEquals(Handshake.REQUEST_RESPONSE, Handshake.requestType(handshakes.get(2)));
        assertEquals(cookie, Handshake.cookie(handshakes.get(2)));
        ByteBuffer response = handshakes.get(3);
        assertEquals(Handshake.REQUEST_RESPONSE, Handshake.requestType(response));
        assertEquals(0x1234, Handshake.initialSequence(response), "the server adopts the client's ISN");
        assertEquals(link.server.localSocketId(), Handshake.socketId(response));
        assertEquals(link.server.localSocketId(), link.client.peerSocketId());
        assertEquals(77, link.server.peerSocketId());
        assertEquals(1500, link.client.mss());
    }

    @Test
    void negotiatesTheSmallerMss() {
        InMemoryLink link = new InMemoryLink(InMemoryLink.config(1400, 256));
        link.client = UdtConnection.client(InMemoryLink.config(1500, 256), 77, InMemoryLink.SERVER_ADDRESS,
                link.clientOutput(), 5, link.now);
        link.deliverAll();
        assertEquals(1400, link.server.mss());
        assertEquals(1400, link.client.mss());
    }

    @Test
    void lostResponseIsAnsweredAgainWithoutASecondConnection() {
        InMemoryLink link = new InMemoryLink();
        boolean[] dropped = {false};
        link.drop = datagram -> {
            if (!datagram.toServer() && datagram.isControl(ControlPacket.TYPE_HANDSHAKE)
                    && Handshake.requestType(datagram.buffer()) == Handshake.REQUEST_RESPONSE && !dropped[0]) {
                dropped[0] = true;
                return true;
            }
            return false;
        };
        link.connectClient(99);
        link.deliverAll();
        assertEquals(UdtConnection.State.CONNECTING, link.client.state());
        UdtConnection firstServer = link.server;
        assertTrue(link.runUntil(() -> link.client.state() == UdtConnection.State.CONNECTED, 50 * MILLI, 10));
        assertEquals(firstServer, link.server, "the repeated request got the existing connection's response");
        assertEquals(firstServer.localSocketId(), link.client.peerSocketId());
    }

    @Test
    void badCookieIsDroppedAndCounted() {
        InMemoryLink link = new InMemoryLink();
        ByteBuffer request = ByteBuffer.allocate(128);
        Handshake.write(request, 0, Handshake.VERSION, Handshake.SOCKET_TYPE_STREAM, 1, 1500, 8192,
                Handshake.REQUEST_RESPONSE, 55, 0xBADC0DE, null);
        link.listener.receive(request, InMemoryLink.CLIENT_ADDRESS, link.now);
        assertEquals(1, link.listener.badCookies());
        assertNull(link.server);
        assertTrue(link.inFlight.isEmpty(), "no answer to a forged cookie");
    }

    @Test
    void cookieIsBoundToTheClientAddress() {
        InMemoryLink link = new InMemoryLink();
        link.connectClient(7);
        link.inFlight.clear();
        ByteBuffer request = ByteBuffer.allocate(128);
        Handshake.write(request, 0, 4, 1, 7, 1500, 8192, Handshake.REQUEST_CONNECT, 77, 0, null);
        link.listener.receive(request, InMemoryLink.CLIENT_ADDRESS, link.now);
        int cookie = Handshake.cookie(ByteBuffer.wrap(link.inFlight.get(0).bytes()));
        Handshake.write(request, 0, 4, 1, 7, 1500, 8192, Handshake.REQUEST_RESPONSE, 77, cookie, null);
        link.listener.receive(request, new InetSocketAddress("127.0.0.2", 41000), link.now);
        assertEquals(1, link.listener.badCookies(), "a cookie from another address does not count");
        assertNull(link.server);
    }

    @Test
    void wrongSocketTypeIsRejectedWith1002() {
        InMemoryLink link = new InMemoryLink();
        ConnectionConfig datagram = new ConnectionConfig(1500, 64, 64, 25600, 0, Handshake.SOCKET_TYPE_DATAGRAM,
                3_000 * MILLI, NativeCongestionControl::new);
        link.client = UdtConnection.client(datagram, 77, InMemoryLink.SERVER_ADDRESS, link.clientOutput(), 1, link.now);
        link.deliverAll();
        assertTrue(link.client.isRejected());
        assertEquals(UdtConnection.State.CLOSED, link.client.state());
        assertEquals(1, link.listener.rejected());
        assertNull(link.server);
    }

    @Test
    void fullBacklogIsRejectedWith1002() {
        InMemoryLink link = new InMemoryLink();
        ListenerCore full = new ListenerCore(Handshake.SOCKET_TYPE_STREAM,
                (buffer, target) -> link.inFlight.add(copy(buffer, false)), (request, peer, now) -> null,
                new byte[] {9}, link.now);
        link.client = UdtConnection.client(link.config, 77, InMemoryLink.SERVER_ADDRESS, link.clientOutput(), 1,
                link.now);
        for (int i = 0; i < 4 && !link.inFlight.isEmpty(); i++) {
            List<InMemoryLink.Datagram> batch = new ArrayList<>(link.inFlight);
            link.inFlight.clear();
            for (InMemoryLink.Datagram datagram : batch) {
                if (datagram.toServer()) {
                    full.receive(datagram.buffer(), InMemoryLink.CLIENT_ADDRESS, link.now);
                } else {
                    link.client.receive(datagram.buffer(), link.now);
                }
            }
        }
        assertTrue(link.client.isRejected());
    }

    private static InMemoryLink.Datagram copy(ByteBuffer buffer, boolean toServer) {
        byte[] bytes = new byte[buffer.limit()];
        buffer.get(0, bytes);
        return new InMemoryLink.Datagram(bytes, toServer);
    }

    @Test
    void requestsAreRepeatedEvery250MillisecondsUntilTheConnectTimeout() {
        InMemoryLink link = new InMemoryLink();
        int[] requests = {0};
        link.drop = datagram -> {
            if (datagram.isControl(ControlPacket.TYPE_HANDSHAKE)) {
                requests[0]++;
            }
            return true;
        };
        link.connectClient(3);
        assertFalse(link.runUntil(() -> link.client.state() != UdtConnection.State.CONNECTING, 10 * MILLI, 299));
        assertTrue(link.runUntil(() -> link.client.state() != UdtConnection.State.CONNECTING, 10 * MILLI, 2));
        assertTrue(link.client.isConnectTimedOut());
        assertEquals(12, requests[0], "one request every 250 ms within the 3 s timeout");
    }

    @Test
    void shortOrForeignHandshakesAreDropped() {
        InMemoryLink link = new InMemoryLink();
        ByteBuffer shortOne = ByteBuffer.allocate(40);
        ControlPacket.writeHeader(shortOne, ControlPacket.TYPE_HANDSHAKE, 0, 0, 0);
        link.listener.receive(shortOne, InMemoryLink.CLIENT_ADDRESS, link.now);
        ByteBuffer data = ByteBuffer.allocate(64);
        link.listener.receive(data, InMemoryLink.CLIENT_ADDRESS, link.now);
        ByteBuffer rendezvous = ByteBuffer.allocate(128);
        Handshake.write(rendezvous, 0, 4, 1, 1, 1500, 8192, Handshake.REQUEST_RENDEZVOUS, 5, 0, null);
        link.listener.receive(rendezvous, InMemoryLink.CLIENT_ADDRESS, link.now);
        assertEquals(3, link.listener.dropped());
        assertTrue(link.inFlight.isEmpty());
    }

    @Test
    void rendezvousPeersConnectWithTheirOwnSequenceNumbers() {
        for (long delay : new long[] {0, 100 * MILLI, 600 * MILLI}) {
            List<InMemoryLink.Datagram> toB = new ArrayList<>();
            List<InMemoryLink.Datagram> toA = new ArrayList<>();
            InetSocketAddress addressA = new InetSocketAddress("127.0.0.1", 5000);
            InetSocketAddress addressB = new InetSocketAddress("127.0.0.1", 6000);
            ConnectionConfig config = InMemoryLink.config(1500, 64);
            long[] now = {0};
            UdtConnection a = UdtConnection.rendezvous(config, 11, addressB,
                    (buffer, target) -> toB.add(copy(buffer, true)), 1000, now[0]);
            UdtConnection[] b = {null};
            for (int step = 0; step < 200; step++) {
                now[0] += 10 * MILLI;
                if (b[0] == null && now[0] >= delay) {
                    b[0] = UdtConnection.rendezvous(config, 22, addressA,
                            (buffer, target) -> toA.add(copy(buffer, false)), 2000000, now[0]);
                }
                a.tick(now[0]);
                if (b[0] != null) {
                    b[0].tick(now[0]);
                    for (InMemoryLink.Datagram datagram : new ArrayList<>(toB)) {
                        b[0].receive(datagram.buffer(), now[0]);
                    }
                }
                toB.clear();
                for (InMemoryLink.Datagram datagram : new ArrayList<>(toA)) {
                    a.receive(datagram.buffer(), now[0]);
                }
                toA.clear();
                if (a.state() == UdtConnection.State.CONNECTED && b[0] != null
                        && b[0].state() == UdtConnection.State.CONNECTED) {
                    break;
                }
            }
            assertEquals(UdtConnection.State.CONNECTED, a.state(), "A, B delayed by " + delay);
            assertEquals(UdtConnection.State.CONNECTED, b[0].state(), "B, delayed by " + delay);
            assertEquals(22, a.peerSocketId());
            assertEquals(11, b[0].peerSocketId());
        }
    }
}
