package io.parcel.transport.tcp.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.Socket;
import java.time.Duration;

/**
 * A JDK TCP socket whose writes are bounded by the I/O timeout (through a {@link WriteWatchdog}); reads are
 * bounded by SO_TIMEOUT as usual. Layering TLS on it keeps the bound: {@code SSLSocketFactory.createSocket(
 * socket, ...)} writes through {@link #getOutputStream()}.
 */
final class TcpSocket extends Socket implements WriteWatchdog.Watched {
    /** Writes are cut into pieces of this size, so "no progress for the timeout" is measured per piece. */
    private static final int WRITE_PIECE = 64 * 1024;

    private final WriteWatchdog watchdog;
    private volatile long writeStartedNanos;
    private volatile Duration stalledFor;
    private OutputStream output;

    /** @param watchdog null when writes are not bounded (I/O timeout zero) */
    TcpSocket(WriteWatchdog watchdog) {
        this.watchdog = watchdog;
    }

    void configure(TcpConfig config) throws SocketException {
        setTcpNoDelay(true);
        setKeepAlive(true);
        setSoTimeout(config.ioTimeoutMillis());
        if (config.sendBuffer() > 0) {
            setSendBufferSize(config.sendBuffer());
        }
        if (config.receiveBuffer() > 0) {
            setReceiveBufferSize(config.receiveBuffer());
        }
    }

    /** Starts the write bound once the socket is connected. */
    void watch() {
        if (watchdog != null) {
            watchdog.watch(this);
        }
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (output == null) {
            output = watchdog == null ? super.getOutputStream() : new BoundedOutputStream(super.getOutputStream());
        }
        return output;
    }

    @Override
    public long writeStartedNanos() {
        return writeStartedNanos;
    }

    @Override
    public void abortStalledWrite(Duration timeout) {
        stalledFor = timeout;
        try {
            // A reset, not a FIN: the peer must not take a cut stream for a complete one.
            setSoLinger(true, 0);
        } catch (SocketException alreadyClosed) {
            // Closing below is all that is left to do.
        }
        try {
            close();
        } catch (IOException ignored) {
            // The writer learns of the abort from its failed write.
        }
    }

    @Override
    public void close() throws IOException {
        if (watchdog != null) {
            watchdog.unwatch(this);
        }
        super.close();
    }

    private final class BoundedOutputStream extends FilterOutputStream {
        BoundedOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, data.length);
            int done = 0;
            try {
                while (done < length) {
                    int piece = Math.min(WRITE_PIECE, length - done);
                    writeStartedNanos = System.nanoTime();
                    out.write(data, offset + done, piece);
                    done += piece;
                }
            } catch (IOException e) {
                Duration stalled = stalledFor;
                if (stalled != null) {
                    SocketTimeoutException timeout = new SocketTimeoutException("write to "
                            + getRemoteSocketAddress() + " made no progress for " + stalled.toMillis()
                            + " ms (the peer stopped reading); connection aborted");
                    timeout.initCause(e);
                    throw timeout;
                }
                throw e;
            } finally {
                writeStartedNanos = 0;
            }
        }

        @Override
        public void close() throws IOException {
            // Closing the stream closes the socket, as for any JDK socket.
            TcpSocket.this.close();
        }
    }
}
