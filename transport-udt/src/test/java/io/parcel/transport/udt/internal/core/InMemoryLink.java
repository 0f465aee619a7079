package io.parcel.transport.udt.internal.core;

import io.parcel.transport.udt.internal.cc.NativeCongestionControl;
import io.parcel.transport.udt.internal.wire.ControlPacket;
import io.parcel.transport.udt.internal.wire.Handshake;
import io.parcel.transport.udt.internal.wire.Packet;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * A client connection, a listener and the accepted server connection joined by in-memory queues and driven by a
 * hand-advanced clock: every datagram can be inspected, dropped, duplicated or reordered, deterministically.
 */
final class InMemoryLink {
    static final InetSocketAddress CLIENT_ADDRESS = new InetSocketAddress("127.0.0.1", 41000);
    static final InetSocketAddress SERVER_ADDRESS = new InetSocketAddress("127.0.0.1", 9000);
    static final long MILLI = 1_000_000L;

    /** A datagram in flight: its bytes and which way it goes. */
    record Datagram(byte[] bytes, boolean toServer) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes.clone());
        }

        boolean isControl(int type) {
            ByteBuffer buffer = buffer();
            return Packet.isControl(buffer) && ControlPacket.type(buffer) == type;
        }

        boolean isData() {
            return !Packet.isControl(buffer());
        }
    }

    final List<Datagram> inFlight = new ArrayList<>();
    final List<Datagram> delivered = new ArrayList<>();
    final ByteBuffer scratch = ByteBuffer.allocate(65536);
    final ListenerCore listener;
    final ConnectionConfig config;
    long now = 1_000 * MILLI;
    UdtConnection client;
    UdtConnection server;
    Predicate<Datagram> drop = datagram -> false;
    Random random = new Random(1);
    double lossRate;
    double duplicateRate;
    boolean reorder;
    private int serverSocketIds = 500;

    InMemoryLink() {
        this(config(1500, 256));
    }

    InMemoryLink(ConnectionConfig config) {
        this.config = config;
        this.listener = new ListenerCore(config.socketType(), (buffer, target) -> record(buffer, false),
                (request, peer, nowNanos) -> {
                    server = UdtConnection.accepted(config, serverSocketIds++, peer,
                            (buffer, target) -> record(buffer, false), request, nowNanos);
                    return server;
                }, new byte[] {1, 2, 3}, now);
    }

    static ConnectionConfig config(int mss, int bufferPackets) {
        return new ConnectionConfig(mss, bufferPackets, bufferPackets, 25600, 0, Handshake.SOCKET_TYPE_STREAM,
                3_000 * MILLI, NativeCongestionControl::new);
    }

    UdtConnection.Output clientOutput() {
        return (buffer, target) -> record(buffer, true);
    }

    void connectClient(int initialSequence) {
        client = UdtConnection.client(config, 77, SERVER_ADDRESS, clientOutput(), initialSequence, now);
    }

    private void record(ByteBuffer buffer, boolean toServer) {
        byte[] bytes = new byte[buffer.limit()];
        buffer.get(0, bytes);
        inFlight.add(new Datagram(bytes, toServer));
    }

    /** Delivers everything in flight (and what the deliveries cause), applying the impairments; bounded. */
    void deliverAll() {
        for (int round = 0; round < 100 && !inFlight.isEmpty(); round++) {
            List<Datagram> batch = new ArrayList<>(inFlight);
            inFlight.clear();
            if (reorder) {
                Collections.shuffle(batch, random);
            }
            for (Datagram datagram : batch) {
                if (drop.test(datagram) || (lossRate > 0 && random.nextDouble() < lossRate)) {
                    continue;
                }
                deliver(datagram);
                if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
                    deliver(datagram);
                }
            }
        }
    }

    void deliver(Datagram datagram) {
        delivered.add(datagram);
        ByteBuffer buffer = datagram.buffer();
        if (datagram.toServer()) {
            int destination = buffer.limit() >= 16 ? Packet.destinationSocketId(buffer) : -1;
            if (destination == 0) {
                listener.receive(buffer, CLIENT_ADDRESS, now);
            } else if (server != null && destination == server.localSocketId()) {
                server.receive(buffer, now);
            }
        } else if (client != null) {
            client.receive(buffer, now);
        }
    }

    /** One step: advance the clock, run due timers, let both sides send what is due, deliver everything. */
    void step(long stepNanos) {
        now += stepNanos;
        for (UdtConnection connection : connections()) {
            if (now - connection.nextTimerNanos() >= 0) {
                connection.tick(now);
            }
            for (int i = 0; i < 10_000 && connection.pollData(scratch, now) > 0; i++) {
                record(scratch, connection == client);
            }
        }
        deliverAll();
    }

    /** Steps until {@code done} holds or {@code maxSteps} pass; returns whether it held. */
    boolean runUntil(java.util.function.BooleanSupplier done, long stepNanos, int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return true;
            }
            step(stepNanos);
        }
        return done.getAsBoolean();
    }

    List<UdtConnection> connections() {
        List<UdtConnection> list = new ArrayList<>(2);
        if (client != null) {
            list.add(client);
        }
        if (server != null) {
            list.add(server);
        }
        return list;
    }

    /** Writes all of {@code data} from client to server and reads it at the server, stepping the clock. */
    byte[] transfer(byte[] data, long stepNanos, int maxSteps) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int[] written = {0};
        runUntil(() -> {
            if (written[0] < data.length) {
                written[0] += client.write(data, written[0], data.length - written[0]);
            }
            for (int n; (n = server.read(buffer, 0, buffer.length)) > 0; ) {
                received.write(buffer, 0, n);
            }
            return received.size() >= data.length;
        }, stepNanos, maxSteps);
        return received.toByteArray();
    }

    long count(Predicate<Datagram> which) {
        return delivered.stream().filter(which).count();
    }
}
