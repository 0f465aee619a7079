package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.cc.NativeCongestionControl;
import io.parcel.transport.udt.internal.wire.Handshake;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

import static io.parcel.transport.udt.internal.core.InMemoryLink.MILLI;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buffers take packet memory from a {@link PayloadPool} as packets arrive and give it back as they leave. */
class PacketMemoryTest {
    private static final int PAYLOAD = 100;
    private static final int CHUNK = PayloadSlots.CHUNK_PACKETS;
    private static final long CHUNK_BYTES = SlotChunk.bytes(PAYLOAD);

    private static byte[] packets(int count) {
        byte[] bytes = new byte[count * PAYLOAD];
        new Random(count).nextBytes(bytes);
        return bytes;
    }

    private static ByteBuffer payload(int sequence) {
        ByteBuffer buffer = ByteBuffer.allocate(PAYLOAD);
        buffer.putInt(0, sequence);
        return buffer;
    }

    @Test
    void aSendBufferHoldsChunksOnlyForUnacknowledgedPackets() {
        PayloadPool pool = new PayloadPool(1L << 30, 1L << 30);
        SendBuffer buffer = new SendBuffer(pool, 1000, PAYLOAD, 0);
        assertEquals(0, buffer.heldChunks(), "an idle buffer holds no memory");
        int count = 3 * CHUNK + CHUNK / 2;
        assertEquals(count * PAYLOAD, buffer.append(packets(count), 0, count * PAYLOAD, 0, 0, false));
        assertEquals(4, buffer.heldChunks());
        assertEquals(4 * CHUNK_BYTES, pool.takenBytes());

        buffer.acknowledge(2 * CHUNK + 1);
        assertEquals(2, buffer.heldChunks(), "the first two chunks are passed, the third still holds packets");
        buffer.acknowledge(count);
        assertEquals(0, buffer.heldChunks());
        assertEquals(0, pool.takenBytes());
        assertEquals(4 * CHUNK_BYTES, pool.idleBytes(), "given-back chunks are kept for reuse");

        buffer.append(packets(CHUNK / 4), 0, CHUNK / 4 * PAYLOAD, count, 0, false);
        assertEquals(3 * CHUNK_BYTES, pool.idleBytes(), "a new packet reuses an idle chunk");
    }

    @Test
    void aSendBufferPastTheBudgetTakesNoMoreButAnEmptyOneAlwaysGetsAChunk() {
        PayloadPool pool = new PayloadPool(2 * CHUNK_BYTES, 0);
        SendBuffer busy = new SendBuffer(pool, 1000, PAYLOAD, 0);
        busy.append(packets(CHUNK + 1), 0, (CHUNK + 1) * PAYLOAD, 0, 0, false);
        assertEquals(2 * CHUNK_BYTES, pool.takenBytes(), "another buffer spent the budget");
        SendBuffer buffer = new SendBuffer(pool, 1000, PAYLOAD, 0);
        byte[] data = packets(CHUNK + CHUNK / 2);

        int taken = buffer.append(data, 0, data.length, 0, 0, false);
        assertEquals(CHUNK * PAYLOAD, taken, "the empty buffer got its first chunk beyond the budget, no second");
        assertEquals(1, pool.refusals());
        assertFalse(buffer.reserve(1), "a message does not fit either");

        busy.acknowledge(CHUNK + 1);
        assertEquals(CHUNK / 2 * PAYLOAD, buffer.append(data, taken, data.length - taken, 0, 0, false),
                "memory the other buffer gave back is taken");
        assertTrue(buffer.reserve(CHUNK / 4));
        busy.close();
        buffer.close();
        assertEquals(0, pool.takenBytes());
    }

    @Test
    void aReceiveBufferAlwaysStoresTheFirstMissingPacketAndRefusesOthersPastTheBudget() {
        PayloadPool pool = new PayloadPool(CHUNK_BYTES, 1L << 20);
        ReceiveBuffer buffer = new ReceiveBuffer(pool, 1000, PAYLOAD, 0);
        assertTrue(buffer.insert(CHUNK + 5, payload(CHUNK + 5)), "within the budget");
        assertFalse(buffer.insert(2 * CHUNK + 5, payload(2 * CHUNK + 5)), "a third chunk is past the budget");
        assertTrue(buffer.insert(0, payload(0)), "the packet the reader waits for is stored whatever the budget");
        assertEquals(2, buffer.heldChunks());
        for (int sequence = 1; sequence < CHUNK + 5; sequence++) {
            assertTrue(buffer.insert(sequence, payload(sequence)));
        }
        byte[] read = new byte[CHUNK * PAYLOAD];
        assertEquals(read.length, buffer.read(read, 0, read.length));
        assertEquals(1, buffer.heldChunks(), "the chunk the reader left is given back");
        assertEquals(CHUNK_BYTES, pool.takenBytes());

        ReceiveBuffer other = new ReceiveBuffer(pool, 1000, PAYLOAD, 0);
        assertFalse(other.insert(10, payload(10)), "the budget is still spent");
        assertEquals(6 * PAYLOAD, buffer.read(read, 0, read.length), "CHUNK..CHUNK+5 are left");
        buffer.close();
        assertEquals(0, pool.takenBytes());
        assertFalse(buffer.hasReadable());
        assertFalse(buffer.insert(buffer.firstMissing(), payload(0)), "a closed buffer stores nothing");
        assertTrue(other.insert(10, payload(10)), "memory given back serves another connection");
    }

    @Test
    void bytesSurviveManyTripsAroundARingWhoseLastChunkIsShort() {
        PayloadPool pool = new PayloadPool(1L << 30, 1L << 30);
        int capacity = 3 * CHUNK + CHUNK / 2 + 4;
        SendBuffer send = new SendBuffer(pool, capacity, PAYLOAD, 7);
        ReceiveBuffer receive = new ReceiveBuffer(pool, capacity, PAYLOAD, 7);
        byte[] data = packets(5_000);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Random random = new Random(5);
        int appended = 0;
        int next = 7;
        byte[] scratch = new byte[PAYLOAD * CHUNK * 25 / 32];
        ByteBuffer wire = ByteBuffer.allocate(PAYLOAD);
        for (int round = 0; round < 10_000 && received.size() < data.length; round++) {
            appended += send.append(data, appended, Math.min(data.length - appended,
                    random.nextInt(CHUNK * 5 / 8) * PAYLOAD + 1), next, 0, false);
            while (send.contains(next) && receive.accepts(next)) {
                wire.clear();
                send.copyPayload(next, wire);
                wire.flip();
                assertTrue(receive.insert(next, wire));
                next++;
            }
            send.acknowledge(receive.firstMissing());
            int n = receive.read(scratch, 0, random.nextInt(scratch.length) + 1);
            received.write(scratch, 0, n);
            assertTrue(send.heldChunks() <= 4 && receive.heldChunks() <= 4);
        }
        assertArrayEquals(data, received.toByteArray());
        send.acknowledge(next);
        assertEquals(0, send.heldChunks(), "everything acknowledged: no memory held");
        receive.close();
        assertEquals(0, pool.takenBytes());
    }

    @Test
    void aConnectionWithATightBudgetStillDeliversEverything() {
        PayloadPool pool = new PayloadPool(CHUNK_BYTES, 0);
        ConnectionConfig config = new ConnectionConfig(1500, 1024, 1024, 25600, 0, Handshake.SOCKET_TYPE_STREAM,
                3_000 * MILLI, NativeCongestionControl::new, pool);
        InMemoryLink link = new InMemoryLink(config);
        link.connectClient(1);
        link.deliverAll();
        link.lossRate = 0.02;
        byte[] data = new byte[2_000_000];
        new Random(9).nextBytes(data);
        assertArrayEquals(data, link.transfer(data, MILLI, 60_000));
        assertTrue(pool.refusals() > 0, "the budget was in the way");
        link.client.releaseMemory();
        link.server.releaseMemory();
        assertEquals(0, pool.takenBytes());
    }
}
