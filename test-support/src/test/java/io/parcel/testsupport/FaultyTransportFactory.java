package io.parcel.testsupport;

import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Transport;
import io.parcel.spi.TransportFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** JDK TCP sockets with one deliberate contract violation, to prove the conformance suite catches it. */
final class FaultyTransportFactory implements TransportFactory {
    enum Fault {
        /** None: plain JDK sockets. */
        NONE,
        /** Flips one bit of the byte at offset 1,000,000 of every stream written. */
        CORRUPT,
        /** shutdownOutput() closes the whole socket. */
        NO_HALF_CLOSE,
        /** connect() ignores its timeout and waits as long as the OS does. */
        IGNORE_CONNECT_TIMEOUT,
        /** Every connect() starts a thread that outlives the connection. */
        LEAK_THREAD
    }

    private final Fault fault;
    /** Releases the threads of {@link Fault#LEAK_THREAD} once the test has seen them. */
    final CountDownLatch release = new CountDownLatch(1);

    FaultyTransportFactory(Fault fault) {
        this.fault = fault;
    }

    @Override
    public String name() {
        return "faulty-" + fault.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Transport create(Options options, PluginContext context) {
        return new Transport() {
            @Override
            public String name() {
                return FaultyTransportFactory.this.name();
            }

            @Override
            public Socket connect(InetSocketAddress remote, Duration timeout) throws IOException {
                Socket socket = newSocket();
                try {
                    socket.connect(remote, fault == Fault.IGNORE_CONNECT_TIMEOUT ? 0 : (int) timeout.toMillis());
                } catch (IOException e) {
                    socket.close();
                    throw e;
                }
                if (fault == Fault.LEAK_THREAD) {
                    Thread.ofPlatform().daemon().name("leaked-by-faulty-transport").start(() -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                return socket;
            }

            @Override
            public ServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
                ServerSocket listener = new ServerSocket() {
                    @Override
                    public Socket accept() throws IOException {
                        Socket socket = newSocket();
                        implAccept(socket);
                        return socket;
                    }
                };
                listener.bind(local, backlog);
                return listener;
            }

            @Override
            public void close() {
            }
        };
    }

    private Socket newSocket() {
        return new Socket() {
            private OutputStream output;

            @Override
            public synchronized OutputStream getOutputStream() throws IOException {
                if (output == null) {
                    output = fault == Fault.CORRUPT ? new Corrupting(super.getOutputStream()) : super.getOutputStream();
                }
                return output;
            }

            @Override
            public void shutdownOutput() throws IOException {
                if (fault == Fault.NO_HALF_CLOSE) {
                    close();
                } else {
                    super.shutdownOutput();
                }
            }
        };
    }

    private static final class Corrupting extends FilterOutputStream {
        private static final long VICTIM = 1_000_000;
        private long written;

        Corrupting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            if (written <= VICTIM && VICTIM < written + length) {
                byte[] copy = java.util.Arrays.copyOfRange(data, offset, offset + length);
                copy[(int) (VICTIM - written)] ^= 0x10;
                out.write(copy, 0, length);
            } else {
                out.write(data, offset, length);
            }
            written += length;
        }
    }
}
