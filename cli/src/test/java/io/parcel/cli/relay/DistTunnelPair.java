package io.parcel.cli.relay;

import java.nio.file.Path;

import io.parcel.cli.dist.DistProcess;

/**
 * A {@code bin/parcel-tcp2udt} -> {@code bin/parcel-udt2tcp} pair of the distribution over real UDT on loopback, in
 * front of a TCP upstream, with a 5-minute idle timeout and no status lines. {@link #close()} kills both halves.
 */
record DistTunnelPair(DistProcess entryHalf, DistProcess exitHalf, int entryPort) implements AutoCloseable {

    static DistTunnelPair start(Path work, int upstreamPort, String connectTimeout) throws InterruptedException {
        DistProcess exitHalf = DistProcess.start(work, "parcel-udt2tcp", "--listen", "127.0.0.1:0",
                "--to", "127.0.0.1:" + upstreamPort, "--idle-timeout", "5m", "--status-interval", "0");
        int udtPort = exitHalf.awaitListeningPort();
        DistProcess entryHalf = DistProcess.start(work, "parcel-tcp2udt", "--listen", "127.0.0.1:0",
                "--to", "127.0.0.1:" + udtPort, "--idle-timeout", "5m", "--connect-timeout", connectTimeout,
                "--status-interval", "0");
        return new DistTunnelPair(entryHalf, exitHalf, entryHalf.awaitListeningPort());
    }

    @Override
    public void close() {
        try {
            entryHalf.kill();
        } finally {
            exitHalf.kill();
        }
    }
}
