package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.cc.NativeCongestionControl;
import io.parcel.transport.udt.internal.wire.ControlPacket;
import io.parcel.transport.udt.internal.wire.DataPacket;
import io.parcel.transport.udt.internal.wire.DropRequest;
import io.parcel.transport.udt.internal.wire.Handshake;
import io.parcel.transport.udt.internal.wire.SeqNo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.parcel.transport.udt.internal.core.InMemoryLink.MILLI;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message mode (SOCK_DGRAM) stepped by hand: boundary bits, reassembly, early delivery, TTL drops. */
class MessageModeTest {
    private static final int MSS = 1500;
    private static final int PAYLOAD = MSS - ConnectionConfig.OVERHEAD;
    private static final long FOREVER = -1;

    private static ConnectionConfig dgramConfig(int bufferPackets) {
        return new ConnectionConfig(MSS, bufferPackets, bufferPackets, 25600, 0, Handshake.SOCKET_TYPE_DATAGRAM,
                3_000 * MILLI, NativeCongestionControl::new);
    }

    private static InMemoryLink connected(int initialSequence) {
        InMemoryLink link = new InMemoryLink(dgramConfig(256));
        link.connectClient(initialSequence);
        link.deliverAll();
        assertEquals(UdtConnection.State.CONNECTED, link.client.state());
        assertTrue(link.server.isMessageMode());
        return link;
    }

    private static byte[] message(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void send(InMemoryLink link, byte[] message, long ttlNanos, boolean inOrder) {
        assertTrue(link.client.sendMessage(ByteBuffer.wrap(message), ttlNanos, inOrder, link.now), "buffer room");
    }

    /** Every whole message the server can hand out now. */
    private static List<byte[]> drain(UdtConnection receiver) {
        List<byte[]> messages = new ArrayList<>();
        ByteBuffer into = ByteBuffer.allocate(1 << 20);
        while (receiver.nextMessageLength() >= 0) {
            into.clear();
            int n = receiver.receiveMessage(into);
            messages.add(Arrays.copyOf(into.array(), n));
        }
        return messages;
    }

    private static List<InMemoryLink.Datagram> dataPackets(InMemoryLink link) {
        return link.delivered.stream().filter(d -> d.toServer() && d.isData()).toList();
    }

    @Test
    void packetsCarryBoundaryBitsInOrderFlagAndMessageNumber() {
        InMemoryLink link = connected(SeqNo.MAX - 2); // the message numbers do not care about sequence wrap
        send(link, message(100, 1), FOREVER, false);
        send(link, message(3 * PAYLOAD - 10, 2), FOREVER, true);
        send(link, message(2 * PAYLOAD, 3), FOREVER, false);
        link.step(MILLI);
        List<InMemoryLink.Datagram> data = dataPackets(link);
        assertEquals(6, data.size());
        int[][] expected = { // boundary, in-order, message number, payload
            {DataPacket.BOUNDARY_SOLO, 0, 1, 100},
            {DataPacket.BOUNDARY_FIRST, 1, 2, PAYLOAD},
            {DataPacket.BOUNDARY_MIDDLE, 1, 2, PAYLOAD},
            {DataPacket.BOUNDARY_LAST, 1, 2, PAYLOAD - 10},
            {DataPacket.BOUNDARY_FIRST, 0, 3, PAYLOAD},
            {DataPacket.BOUNDARY_LAST, 0, 3, PAYLOAD},
        };
        for (int i = 0; i < expected.length; i++) {
            ByteBuffer packet = data.get(i).buffer();
            assertEquals(expected[i][0], DataPacket.boundary(packet), "boundary of packet " + i);
            assertEquals(expected[i][1] == 1, DataPacket.inOrder(packet), "in-order flag of packet " + i);
            assertEquals(expected[i][2], DataPacket.messageNumber(packet), "message number of packet " + i);
            assertEquals(expected[i][3], packet.limit() - 16, "payload of packet " + i);
        }
        List<byte[]> received = drain(link.server);
        assertEquals(3, received.size());
        assertArrayEquals(message(100, 1), received.get(0));
        assertArrayEquals(message(3 * PAYLOAD - 10, 2), received.get(1));
        assertArrayEquals(message(2 * PAYLOAD, 3), received.get(2));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void inOrderMessagesArriveWholeAndInOrderUnderLossDuplicationAndReordering(long seed) {
        InMemoryLink link = connected(1000);
        link.random = new Random(seed);
        link.lossRate = 0.15;
        link.duplicateRate = 0.05;
        link.reorder = true;
        Random sizes = new Random(seed);
        List<byte[]> sent = new ArrayList<>();
        List<byte[]> received = new ArrayList<>();
        int[] next = {0};
        assertTrue(link.runUntil(() -> {
            while (sent.size() < 200 && next[0] == sent.size()) {
                byte[] m = message(1 + sizes.nextInt(5 * PAYLOAD), seed * 1000 + sent.size());
                if (!link.client.sendMessage(ByteBuffer.wrap(m), FOREVER, true, link.now)) {
                    break;
                }
                sent.add(m);
                next[0]++;
            }
            received.addAll(drain(link.server));
            return received.size() == 200;
        }, MILLI, 100_000), "all 200 messages within the step budget");
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), received.get(i), "message " + i);
        }
        assertEquals(0, link.client.dropRequestsSent());
    }

    @Test
    void completeUnorderedMessageOvertakesAnIncompleteOne() {
        InMemoryLink link = connected(50);
        byte[] first = message(3 * PAYLOAD, 10);
        byte[] second = message(200, 11);
        int[] dropped = {0};
        link.drop = d -> d.toServer() && d.isData() && DataPacket.sequence(d.buffer()) == 51 && dropped[0]++ == 0;
        send(link, first, FOREVER, false);
        send(link, second, FOREVER, false);
        link.step(MILLI);
        assertEquals(1, dropped[0], "the middle packet of the first message was lost once");
        List<byte[]> early = drain(link.server);
        assertEquals(1, early.size(), "only the complete second message is ready");
        assertArrayEquals(second, early.get(0));
        assertTrue(link.runUntil(() -> link.server.nextMessageLength() >= 0, MILLI, 2_000));
        List<byte[]> late = drain(link.server);
        assertEquals(1, late.size());
        assertArrayEquals(first, late.get(0));
        assertTrue(link.runUntil(() -> link.client.isSendBufferEmpty(), MILLI, 2_000));
        assertEquals(-1, link.server.nextMessageLength(), "the early message is not delivered twice");
    }

    @Test
    void inOrderMessageWaitsForTheEarlierOne() {
        InMemoryLink link = connected(50);
        byte[] first = message(3 * PAYLOAD, 20);
        byte[] second = message(200, 21);
        int[] dropped = {0};
        link.drop = d -> d.toServer() && d.isData() && DataPacket.sequence(d.buffer()) == 51 && dropped[0]++ == 0;
        send(link, first, FOREVER, true);
        send(link, second, FOREVER, true);
        link.step(MILLI);
        assertEquals(-1, link.server.nextMessageLength(), "nothing may overtake the incomplete first message");
        assertTrue(link.runUntil(() -> link.server.nextMessageLength() >= 0, MILLI, 2_000));
        List<byte[]> received = drain(link.server);
        assertEquals(2, received.size());
        assertArrayEquals(first, received.get(0));
        assertArrayEquals(second, received.get(1));
    }

    @Test
    void closingWithMessagesUnacknowledgedFailsTheReceiverAfterTheWholeOnes() {
        InMemoryLink link = connected(50);
        byte[] first = message(200, 30);
        byte[] second = message(3 * PAYLOAD, 31);
        link.drop = d -> d.toServer() && d.isData() && DataPacket.sequence(d.buffer()) >= 52;
        send(link, first, FOREVER, true);
        send(link, second, FOREVER, true);
        link.runUntil(() -> false, MILLI, 20);
        assertFalse(link.client.isSendBufferEmpty(), "the test needs a message that never arrived");
        link.client.close(link.now);
        link.deliverAll();
        List<byte[]> received = drain(link.server);
        assertEquals(1, received.size());
        assertArrayEquals(first, received.get(0));
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> link.server.receiveMessage(ByteBuffer.allocate(1 << 16)));
        assertTrue(failure.getMessage().contains("before all its data was acknowledged"), failure.getMessage());
    }

    @Test
    void closingOnceEverythingIsAcknowledgedEndsTheReceiverCleanly() {
        InMemoryLink link = connected(50);
        byte[] only = message(3 * PAYLOAD, 32);
        send(link, only, FOREVER, true);
        assertTrue(link.runUntil(() -> link.client.isSendBufferEmpty(), MILLI, 1_000));
        link.client.close(link.now);
        link.deliverAll();
        assertEquals(1, drain(link.server).size());
        assertEquals(-1, link.server.receiveMessage(ByteBuffer.allocate(1 << 16)));
    }

    @Test
    void expiredMessageIsDroppedByRequestAndTheReceiverMovesOn() {
        InMemoryLink link = connected(700);
        byte[] doomed = message(4 * PAYLOAD, 30);
        byte[] after = message(300, 31);
        // the third packet of the first message never arrives
        link.drop = d -> d.toServer() && d.isData() && DataPacket.sequence(d.buffer()) == 702;
        send(link, doomed, 50 * MILLI, true);
        send(link, after, FOREVER, true);
        link.step(MILLI);
        assertEquals(-1, link.server.nextMessageLength(), "the in-order second message waits for the first");
        assertTrue(link.runUntil(() -> link.server.nextMessageLength() >= 0, MILLI, 5_000),
                "the drop request unblocks the receiver");
        List<InMemoryLink.Datagram> drops = link.delivered.stream()
                .filter(d -> d.toServer() && d.isControl(ControlPacket.TYPE_DROP_REQUEST)).toList();
        assertFalse(drops.isEmpty(), "a message drop request was sent");
        ByteBuffer drop = drops.get(0).buffer();
        assertEquals(1, DropRequest.messageNumber(drop));
        assertTrue(SeqNo.compare(DropRequest.firstSequence(drop), 702) <= 0
                && SeqNo.compare(DropRequest.firstSequence(drop), 700) >= 0, "first sequence within the message");
        assertEquals(703, DropRequest.lastSequence(drop), "last sequence = the message's last packet");
        assertTrue(link.now - 1_000 * MILLI > 50 * MILLI, "not before the TTL passed");
        List<byte[]> received = drain(link.server);
        assertEquals(1, received.size(), "only the second message is delivered");
        assertArrayEquals(after, received.get(0));
        assertTrue(link.runUntil(() -> link.client.isSendBufferEmpty(), MILLI, 2_000), "everything acknowledged");
        // and the connection goes on
        byte[] later = message(5 * PAYLOAD, 32);
        send(link, later, FOREVER, true);
        link.drop = d -> false;
        assertTrue(link.runUntil(() -> link.server.nextMessageLength() >= 0, MILLI, 2_000));
        assertArrayEquals(later, drain(link.server).get(0));
    }

    @Test
    void unexpiredMessageIsResentNotDropped() {
        InMemoryLink link = connected(700);
        byte[] m = message(4 * PAYLOAD, 40);
        int[] dropped = {0};
        link.drop = d -> d.toServer() && d.isData() && DataPacket.sequence(d.buffer()) == 702 && dropped[0]++ < 1;
        send(link, m, 10_000 * MILLI, true);
        assertTrue(link.runUntil(() -> link.server.nextMessageLength() >= 0, MILLI, 2_000));
        assertArrayEquals(m, drain(link.server).get(0));
        assertEquals(0, link.client.dropRequestsSent());
    }

    @Test
    void dropRequestForAnUnknownMessageIsIgnored() {
        InMemoryLink link = connected(300);
        byte[] a = message(2 * PAYLOAD, 50);
        send(link, a, FOREVER, true);
        assertTrue(link.runUntil(() -> link.client.isSendBufferEmpty(), MILLI, 1_000));
        ByteBuffer request = ByteBuffer.allocate(64);
        // an old range (already received and read) and a message number nobody used
        DropRequest.write(request, 999, 300, 301, link.server.localSocketId());
        link.server.receive(request, link.now);
        // an inverted range: malformed
        DropRequest.write(request, 999, 320, 310, link.server.localSocketId());
        link.server.receive(request, link.now);
        assertFalse(link.server.isBroken());
        List<byte[]> received = drain(link.server);
        assertEquals(1, received.size());
        assertArrayEquals(a, received.get(0));
        byte[] b = message(3 * PAYLOAD, 51);
        send(link, b, FOREVER, true);
        assertTrue(link.runUntil(() -> link.server.nextMessageLength() >= 0, MILLI, 1_000));
        assertArrayEquals(b, drain(link.server).get(0));
    }

    @Test
    void referenceRangeOnePastTheMessageKeepsTheNextMessageWhenItArrived() {
        // 4.11 sends [lost, lost + rest], which covers the first packet of the next message
        InMemoryLink link = connected(400);
        byte[] doomed = message(3 * PAYLOAD, 60);
        byte[] next = message(2 * PAYLOAD, 61);
        link.drop = d -> d.toServer() && d.isData() && DataPacket.sequence(d.buffer()) == 401;
        send(link, doomed, FOREVER, true);
        send(link, next, FOREVER, true);
        link.step(MILLI);
        ByteBuffer request = ByteBuffer.allocate(64);
        DropRequest.write(request, 1, 401, 403, link.server.localSocketId());
        link.server.receive(request, link.now);
        List<byte[]> received = drain(link.server);
        assertEquals(1, received.size());
        assertArrayEquals(next, received.get(0));
    }

    @Test
    void messageLargerThanTheLimitIsRefusedAndAFullBufferSaysSo() {
        InMemoryLink link = connected(10);
        int limit = link.client.maxMessageSize();
        assertEquals(255 * PAYLOAD, limit, "the peer's 256-packet receive buffer less one packet");
        assertThrows(IllegalArgumentException.class,
                () -> link.client.sendMessage(ByteBuffer.allocate(limit + 1), FOREVER, true, link.now));
        assertTrue(link.client.sendMessage(ByteBuffer.allocate(limit), FOREVER, true, link.now));
        assertFalse(link.client.sendMessage(ByteBuffer.allocate(2 * PAYLOAD), FOREVER, true, link.now),
                "no room for a two-packet message while 255 of 256 packets are queued");
        ByteBuffer one = ByteBuffer.allocate(PAYLOAD);
        assertTrue(link.client.sendMessage(one, FOREVER, true, link.now));
        assertEquals(0, one.remaining(), "the message was consumed");
    }

    @Test
    void streamClientIsRejectedByMessageListener() {
        InMemoryLink link = new InMemoryLink(dgramConfig(256));
        link.client = UdtConnection.client(InMemoryLink.config(MSS, 256), 77, InMemoryLink.SERVER_ADDRESS,
                link.clientOutput(), 5, link.now);
        link.deliverAll();
        assertTrue(link.client.isRejected());
        assertTrue(link.client.failure().contains("socket type"), link.client.failure());
        assertEquals(null, link.server);
    }

    @Test
    void messageClientIsRejectedByStreamListener() {
        InMemoryLink link = new InMemoryLink(InMemoryLink.config(MSS, 256));
        link.client = UdtConnection.client(dgramConfig(256), 77, InMemoryLink.SERVER_ADDRESS, link.clientOutput(),
                5, link.now);
        link.deliverAll();
        assertTrue(link.client.isRejected());
        assertEquals(null, link.server);
    }

    @Test
    void streamConnectionRefusesMessageCalls() {
        InMemoryLink link = new InMemoryLink();
        link.connectClient(1);
        link.deliverAll();
        assertThrows(IllegalStateException.class,
                () -> link.client.sendMessage(ByteBuffer.allocate(10), FOREVER, true, link.now));
        assertThrows(IllegalStateException.class, () -> link.server.nextMessageLength());
    }

    @Test
    void manyMessagesWithShortTtlOverALossyLinkNeverStall() {
        InMemoryLink link = connected(SeqNo.MAX - 100);
        link.random = new Random(9);
        link.lossRate = 0.2;
        link.reorder = true;
        Set<Integer> seen = new HashSet<>();
        int[] sent = {0};
        assertTrue(link.runUntil(() -> {
            while (sent[0] < 300) {
                byte[] m = message(2 + (sent[0] % 4) * PAYLOAD, sent[0]);
                m[0] = (byte) sent[0];
                m[m.length - 1] = (byte) (sent[0] >> 8);
                if (!link.client.sendMessage(ByteBuffer.wrap(m), 20 * MILLI, sent[0] % 2 == 0, link.now)) {
                    break;
                }
                sent[0]++;
            }
            for (byte[] m : drain(link.server)) {
                int index = (m[0] & 0xFF) | ((m[m.length - 1] & 0xFF) << 8);
                assertArrayEquals(message(2 + (index % 4) * PAYLOAD, index), patch(m, index),
                        "message " + index + " whole");
                assertTrue(seen.add(index), "message " + index + " once");
            }
            return sent[0] == 300 && link.client.isSendBufferEmpty();
        }, MILLI, 60_000), "all sent and acknowledged (delivered or dropped)");
        assertTrue(link.client.dropRequestsSent() > 0, "some messages expired at 20% loss");
        assertTrue(seen.size() > 150, "most messages arrived: " + seen.size());
    }

    private static byte[] patch(byte[] received, int index) {
        byte[] expected = message(received.length, index);
        byte[] copy = received.clone();
        copy[0] = expected[0];
        copy[copy.length - 1] = expected[expected.length - 1];
        return copy;
    }
}
