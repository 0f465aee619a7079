package io.parcel.transport.udt.internal.wire;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encodings checked byte by byte against what UDT 4.11 puts on the wire (captures in notes/udt-protocol.md). */
class WireTest {
    private static String hex(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.limit()];
        buffer.get(0, bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void dataHeaderOfFirstPacketOfAMessage() {
        ByteBuffer packet = ByteBuffer.allocate(20);
        DataPacket.writeHeader(packet, 0x51C456A1, DataPacket.messageWord(DataPacket.BOUNDARY_FIRST, false, 1),
                603060, 0x12345678);
        assertEquals("51c456a1" + "80000001" + "000933b4" + "12345678", hex(packet.limit(16)));
        assertFalse(Packet.isControl(packet));
        assertEquals(0x51C456A1, DataPacket.sequence(packet));
        assertEquals(DataPacket.BOUNDARY_FIRST, DataPacket.boundary(packet));
        assertFalse(DataPacket.inOrder(packet));
        assertEquals(1, DataPacket.messageNumber(packet));
        assertEquals(603060, Packet.timestamp(packet));
        assertEquals(0x12345678, Packet.destinationSocketId(packet));
    }

    @Test
    void messageWordOfSendfilePacketCarriesInOrderFlag() {
        int word = DataPacket.messageWord(DataPacket.BOUNDARY_LAST, true, MsgNo.MAX);
        assertEquals(0x7FFFFFFF, word);
        assertEquals(0xFFFFFFFF, DataPacket.messageWord(DataPacket.BOUNDARY_SOLO, true, MsgNo.MAX));
        assertEquals(0x00000005, DataPacket.messageWord(DataPacket.BOUNDARY_MIDDLE, false, 5));
    }

    @Test
    void keepAliveHasTypeOneAndAFourBytePad() {
        ByteBuffer packet = ByteBuffer.allocate(64);
        ControlPacket.writePadded(packet, ControlPacket.TYPE_KEEP_ALIVE, 0, 0, 7);
        assertEquals("80010000" + "00000000" + "00000000" + "00000007" + "00000000", hex(packet));
        assertTrue(Packet.isControl(packet));
        assertEquals(ControlPacket.TYPE_KEEP_ALIVE, ControlPacket.type(packet));
    }

    @Test
    void otherPaddedControlTypes() {
        ByteBuffer packet = ByteBuffer.allocate(64);
        ControlPacket.writePadded(packet, ControlPacket.TYPE_SHUTDOWN, 0, 0, 1);
        assertEquals("80050000", hex(packet).substring(0, 8));
        ControlPacket.writePadded(packet, ControlPacket.TYPE_ACK2, 0, 42, 1);
        assertEquals("80060000" + "0000002a", hex(packet).substring(0, 16));
        assertEquals(42, ControlPacket.additionalInfo(packet));
        ControlPacket.writePadded(packet, ControlPacket.TYPE_CONGESTION_WARNING, 0, 0, 1);
        assertEquals(ControlPacket.TYPE_CONGESTION_WARNING, ControlPacket.type(packet));
        ControlPacket.writePadded(packet, ControlPacket.TYPE_ERROR, 0, 4000, 1);
        assertEquals("80080000" + "00000fa0", hex(packet).substring(0, 16));
        assertEquals(20, packet.limit());
    }

    @Test
    void userDefinedTypeCarriesExtendedType() {
        ByteBuffer packet = ByteBuffer.allocate(64);
        HalfClose.write(packet, HalfClose.EXTENDED_TYPE_FIN, 0x1234, 9);
        assertEquals("ffff5046" + "00000000" + "00000000" + "00000009" + "00001234", hex(packet));
        assertEquals(ControlPacket.TYPE_USER_DEFINED, ControlPacket.type(packet));
        assertEquals(HalfClose.EXTENDED_TYPE_FIN, ControlPacket.extendedType(packet));
        assertEquals(0x1234, HalfClose.endSequence(packet));
    }

    @Test
    void handshakeRequestAsTheReferenceSendsIt() throws Exception {
        ByteBuffer packet = ByteBuffer.allocate(128);
        Handshake.write(packet, 0, Handshake.VERSION, Handshake.SOCKET_TYPE_STREAM, 0x1B29D9EF, 1500, 8192,
                Handshake.REQUEST_CONNECT, 0x2AB3C4D5, 0, InetAddress.getByName("127.0.0.1"));
        assertEquals(64, packet.limit());
        assertEquals("80000000" + "00000000" + "00000000" + "00000000"
                + "00000004" + "00000001" + "1b29d9ef" + "000005dc" + "00002000" + "00000001" + "2ab3c4d5"
                + "00000000" + "0100007f" + "00000000" + "00000000" + "00000000", hex(packet));
        assertEquals(Handshake.REQUEST_CONNECT, Handshake.requestType(packet));
        assertEquals(0x2AB3C4D5, Handshake.socketId(packet));
        assertEquals(InetAddress.getByName("127.0.0.1"), Handshake.peerAddress(packet, false));
    }

    @Test
    void handshakeResponseTypesAreNegativeWords() {
        ByteBuffer packet = ByteBuffer.allocate(128);
        Handshake.write(packet, 5, 4, 1, 1, 1500, 8192, Handshake.REQUEST_RESPONSE, 6, 77, null);
        assertEquals("ffffffff", hex(packet).substring(Handshake.REQUEST_TYPE_OFFSET * 2,
                Handshake.REQUEST_TYPE_OFFSET * 2 + 8));
        Handshake.setRequestType(packet, Handshake.REQUEST_RENDEZVOUS_FINAL);
        assertEquals(-2, Handshake.requestType(packet));
        Handshake.setRequestType(packet, Handshake.REQUEST_REJECTED);
        assertEquals("000003ea", hex(packet).substring(Handshake.REQUEST_TYPE_OFFSET * 2,
                Handshake.REQUEST_TYPE_OFFSET * 2 + 8));
    }

    @Test
    void ipv6PeerAddressIsReversedPerWord() throws Exception {
        ByteBuffer packet = ByteBuffer.allocate(128);
        InetAddress address = InetAddress.getByName("2001:db8::1");
        Handshake.write(packet, 0, 4, 1, 1, 1500, 8192, 1, 1, 0, address);
        assertEquals("b80d0120" + "00000000" + "00000000" + "01000000",
                hex(packet).substring(Handshake.PEER_IP_OFFSET * 2));
        assertEquals(address, Handshake.peerAddress(packet, true));
    }

    @Test
    void firstObservedFullAck() {
        ByteBuffer packet = ByteBuffer.allocate(64);
        Ack.writeFull(packet, 1, 0x51C456B0, 0x186A0, 0xC350, 0x1FEF, true, 0xCD98, 0x3E8, 3);
        assertEquals("80020000" + "00000001" + "00000000" + "00000003"
                + "51c456b0" + "000186a0" + "0000c350" + "00001fef" + "0000cd98" + "000003e8", hex(packet));
        assertEquals(100_000, Ack.rtt(packet));
        assertEquals(50_000, Ack.rttVariance(packet));
        assertEquals(8175, Ack.availableBuffer(packet));
        assertEquals(52632, Ack.receiveRate(packet));
        assertEquals(1000, Ack.linkCapacity(packet));
        Ack.writeFull(packet, 2, 5, 1, 1, 1, false, 0, 0, 3);
        assertEquals(16 + Ack.SHORT_BODY_LENGTH, packet.limit());
    }

    @Test
    void lightAckIsFourBytesWithZeroAdditionalInfo() {
        ByteBuffer packet = ByteBuffer.allocate(64);
        Ack.writeLight(packet, 0x12345, 3);
        assertEquals("80020000" + "00000000" + "00000000" + "00000003" + "00012345", hex(packet));
    }

    @Test
    void lossReportUsesRangesOnlyForTwoOrMore() {
        ByteBuffer packet = ByteBuffer.allocate(64);
        LossReport.begin(packet, 3);
        assertTrue(LossReport.append(packet, 2, 2));
        assertTrue(LossReport.append(packet, 6, 11));
        assertTrue(LossReport.append(packet, 14, 14));
        LossReport.end(packet);
        assertEquals("80030000" + "00000000" + "00000000" + "00000003"
                + "00000002" + "80000006" + "0000000b" + "0000000e", hex(packet));
        List<String> ranges = new ArrayList<>();
        assertTrue(LossReport.decode(packet, (first, last) -> ranges.add(first + "-" + last)));
        assertEquals(List.of("2-2", "6-11", "14-14"), ranges);
    }

    @Test
    void decodesTheCapturedRange() {
        ByteBuffer packet = ByteBuffer.allocate(24);
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_NAK, 0, 0, 1);
        packet.putInt(16, 0xD98F2A31).putInt(20, 0x598F2EE6);
        List<int[]> ranges = new ArrayList<>();
        assertTrue(LossReport.decode(packet, (first, last) -> ranges.add(new int[] {first, last})));
        assertEquals(0x598F2A31, ranges.get(0)[0]);
        assertEquals(0x598F2EE6, ranges.get(0)[1]);
    }

    @Test
    void rejectsMalformedLossReports() {
        ByteBuffer packet = ByteBuffer.allocate(32);
        ControlPacket.writeHeader(packet, ControlPacket.TYPE_NAK, 0, 0, 1);
        packet.putInt(16, 0x80000001);
        packet.limit(20);
        assertFalse(LossReport.decode(packet, (first, last) -> { }), "range start without an end");
        packet.limit(23);
        assertFalse(LossReport.decode(packet, (first, last) -> { }), "partial word");
        packet.limit(24);
        packet.putInt(20, 0x80000002);
        assertFalse(LossReport.decode(packet, (first, last) -> { }), "range end with the range flag");
        packet.limit(16);
        assertFalse(LossReport.decode(packet, (first, last) -> { }), "empty");
    }

    @Test
    void lossReportStopsWhenFull() {
        ByteBuffer packet = ByteBuffer.allocate(16 + 8);
        LossReport.begin(packet, 3);
        assertTrue(LossReport.append(packet, 1, 5));
        assertFalse(LossReport.append(packet, 7, 7));
    }

    @Test
    void dropRequestLayout() {
        ByteBuffer packet = ByteBuffer.allocate(64);
        DropRequest.write(packet, 0x3FFFFFFF, 100, 110, 3);
        assertEquals("80070000" + "1fffffff" + "00000000" + "00000003" + "00000064" + "0000006e", hex(packet));
        assertEquals(MsgNo.MAX, DropRequest.messageNumber(packet));
        assertEquals(100, DropRequest.firstSequence(packet));
        assertEquals(110, DropRequest.lastSequence(packet));
    }
}
