package io.parcel.kernel.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A connection through the relay whose request line has been sent but whose reply has not been read yet: the first
 * read reads and checks the reply, then the bytes of the target follow. So the client's own first bytes (an HTTP
 * request, a TLS ClientHello) travel right behind the request line instead of a round trip later. A refusal surfaces
 * at that first read, as the exception {@link ReplyCheck} throws, and again at every later read.
 *
 * <p>Every other call goes to the connection underneath (the inner transport's socket, or TLS over it), which this
 * socket owns. Thread-safety: that of the socket underneath; the reply is read once, under a lock.
 */
final class RelayedSocket extends Socket {
    /** Reads the relay's reply from {@code socket} before {@code deadlineNanos}; throws when it is not OK. */
    @FunctionalInterface
    interface ReplyCheck {
        void check(Socket socket, long deadlineNanos) throws IOException;
    }

    private final Socket inner;
    private final ReplyCheck replyCheck;
    /** How long a first read waits for the reply when the socket has no read timeout of its own. */
    private final long fallbackWaitNanos;
    private final Object replyLock = new Object();
    private final InputStream input;
    /** The stream underneath once the answer was OK; set under replyLock, read without it on every read. */
    private volatile InputStream afterReply;
    // Guarded by replyLock.
    private IOException replyFailure;

    RelayedSocket(Socket inner, ReplyCheck replyCheck, long fallbackWaitNanos) throws SocketException {
        super((SocketImpl) null);
        this.inner = requireNonNull(inner, "inner is null");
        this.replyCheck = requireNonNull(replyCheck, "replyCheck is null");
        this.fallbackWaitNanos = fallbackWaitNanos;
        this.input = new ReplyFirstInputStream();
    }

    /**
     * The stream underneath, after reading and checking the reply unless that was done already; rethrows the
     * refusal to every caller after the first. Once the answer was OK, reads take no lock.
     */
    private InputStream afterReply() throws IOException {
        InputStream ready = afterReply;
        if (ready != null) {
            return ready;
        }
        synchronized (replyLock) {
            if (replyFailure != null) {
                throw replyFailure;
            }
            if (afterReply != null) {
                return afterReply;
            }
            int readTimeout = inner.getSoTimeout();
            long wait = readTimeout > 0 ? readTimeout * 1_000_000L : fallbackWaitNanos;
            try {
                replyCheck.check(inner, System.nanoTime() + wait);
                // Reading the reply line set timeouts of its own; a refused socket is of no more use, so only this path
                // restores the caller's.
                inner.setSoTimeout(readTimeout);
                afterReply = inner.getInputStream();
                return afterReply;
            } catch (IOException e) {
                replyFailure = e;
                throw e;
            }
        }
    }

    private final class ReplyFirstInputStream extends InputStream {
        @Override
        public int read() throws IOException {
            return afterReply().read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return afterReply().read(buffer, offset, length);
        }

        @Override
        public int available() throws IOException {
            // Never waits for the reply.
            InputStream ready = afterReply;
            return ready == null ? 0 : ready.available();
        }

        @Override
        public void close() throws IOException {
            RelayedSocket.this.close();
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (inner.isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return inner.getOutputStream();
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        throw new SocketException("already connected through the relay");
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        throw new SocketException("already connected through the relay");
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        throw new SocketException("already bound");
    }

    @Override
    public InetAddress getInetAddress() {
        return inner.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return inner.getLocalAddress();
    }

    @Override
    public int getPort() {
        return inner.getPort();
    }

    @Override
    public int getLocalPort() {
        return inner.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return inner.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return inner.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        inner.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return inner.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        inner.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return inner.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        inner.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        inner.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return inner.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        inner.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return inner.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        inner.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return inner.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        inner.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return inner.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        inner.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return inner.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        inner.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return inner.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        inner.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return inner.getReuseAddress();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        inner.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        inner.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return inner.isConnected();
    }

    @Override
    public boolean isBound() {
        return inner.isBound();
    }

    @Override
    public boolean isClosed() {
        return inner.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return inner.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return inner.isOutputShutdown();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        inner.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        inner.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return inner.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return inner.supportedOptions();
    }

    @Override
    public String toString() {
        return "RelayedSocket[" + inner + "]";
    }
}
