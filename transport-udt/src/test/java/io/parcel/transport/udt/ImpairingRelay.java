package io.parcel.transport.udt;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay on loopback that loses, duplicates and reorders datagrams with seeded randomness, one generator
 * per direction. Clients send to {@link #address()}; the relay forwards to the target from its own second port and
 * sends replies back to the last client address it saw.
 */
final class ImpairingRelay implements AutoCloseable {
    private final DatagramChannel front;
    private final DatagramChannel back;
    private final InetSocketAddress target;
    private final double loss;
    private final double duplicate;
    private final double reorder;
    /** The longest a reordered datagram waits for one to overtake it. */
    private static final int HOLD_MILLIS = 5;
    private final Thread forward;
    private final Thread backward;
    private final AtomicLong dropped = new AtomicLong();
    private volatile InetSocketAddress client;
    private volatile boolean closed;

    ImpairingRelay(InetSocketAddress target, long seed, double loss, double duplicate, double reorder)
            throws IOException {
        this.target = target;
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        front = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        back = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        for (DatagramChannel channel : new DatagramChannel[] {front, back}) {
            channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        }
        forward = Thread.ofPlatform().daemon().name("relay-forward").start(() -> pump(front, back, true, seed));
        backward = Thread.ofPlatform().daemon().name("relay-backward").start(() -> pump(back, front, false, ~seed));
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) front.getLocalAddress();
    }

    long dropped() {
        return dropped.get();
    }

    private void pump(DatagramChannel from, DatagramChannel to, boolean toTarget, long seed) {
        Random random = new Random(seed);
        ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
        ByteBuffer held = ByteBuffer.allocateDirect(65536);
        boolean holding = false;
        InetSocketAddress heldFor = null;
        while (!closed) {
            try {
                buffer.clear();
                InetSocketAddress source;
                if (holding) {
                    // a reordered packet is overtaken by the next one, or sent on its own after a moment: a path
                    // does not keep the last packet of a burst (a close's shutdown) for ever
                    from.socket().setSoTimeout(HOLD_MILLIS);
                    try {
                        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
                        from.socket().receive(packet);
                        buffer.put(packet.getData(), 0, packet.getLength());
                        source = (InetSocketAddress) packet.getSocketAddress();
                    } catch (SocketTimeoutException e) {
                        to.send(held, heldFor);
                        holding = false;
                        continue;
                    } finally {
                        from.socket().setSoTimeout(0);
                    }
                } else {
                    source = (InetSocketAddress) from.receive(buffer);
                }
                if (toTarget) {
                    client = source;
                }
                InetSocketAddress destination = toTarget ? target : client;
                if (destination == null) {
                    continue;
                }
                buffer.flip();
                if (random.nextDouble() < loss) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (!holding && random.nextDouble() < reorder) {
                    held.clear();
                    held.put(buffer).flip();
                    heldFor = destination;
                    holding = true;
                    continue;
                }
                to.send(buffer.duplicate(), destination);
                if (random.nextDouble() < duplicate) {
                    to.send(buffer.duplicate(), destination);
                }
                if (holding) {
                    to.send(held, destination);
                    holding = false;
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        front.close();
        back.close();
        forward.join(2_000);
        backward.join(2_000);
    }
}
