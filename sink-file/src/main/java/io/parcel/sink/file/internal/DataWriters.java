package io.parcel.sink.file.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * Positional writes to one file from many threads, each thread through a {@link FileChannel} of its own.
 *
 * <p>Why not one shared channel: an interrupt that reaches a thread inside a {@code FileChannel} call closes that
 * channel, and a shared one would then fail every other writer. Why not an {@code AsynchronousFileChannel}: on
 * Linux it hands every write to a pool thread and back, measurably slower at loopback speeds.
 * Here an interrupt closes only the interrupted thread's channel; that thread reopens it and writes its buffer
 * again (a positional write is idempotent), and its interrupt status is restored afterwards.
 *
 * <p>Thread-safety: {@link #write} from any thread; {@link #close} once, after the writers stopped. Owns the
 * channels it opens.
 */
final class DataWriters implements Closeable {
    /** An interrupt storm must not keep a write going forever; a few interrupts never exhaust it. */
    private static final int MAX_ATTEMPTS = 64;

    private final Path path;
    private final ConcurrentHashMap<Thread, FileChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    DataWriters(Path path) {
        this.path = requireNonNull(path, "path is null");
    }

    /** Writes all of {@code buffer} at {@code offset}; afterwards the buffer's position is its limit. */
    void write(long offset, ByteBuffer buffer) throws IOException {
        int start = buffer.position();
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 1; ; attempt++) {
                FileChannel channel = channel();
                try {
                    long position = offset;
                    while (buffer.hasRemaining()) {
                        position += channel.write(buffer, position);
                    }
                    return;
                } catch (ClosedByInterruptException e) {
                    channels.remove(Thread.currentThread(), channel);
                    interrupted |= Thread.interrupted();
                    if (attempt >= MAX_ATTEMPTS) {
                        throw e;
                    }
                    buffer.position(start);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private FileChannel channel() throws IOException {
        Thread current = Thread.currentThread();
        FileChannel channel = channels.get(current);
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        if (closed) {
            throw new IOException(path + " is closed");
        }
        channel = FileChannel.open(path, StandardOpenOption.WRITE);
        FileChannel previous = channels.put(current, channel);
        if (previous != null) {
            closeQuietly(previous);
        }
        if (closed) {
            // close() ran while this one opened: do not leave it behind.
            channels.remove(current, channel);
            closeQuietly(channel);
            throw new IOException(path + " is closed");
        }
        return channel;
    }

    /** Number of channels open, one per thread that wrote (for tests). */
    int openChannels() {
        return (int) channels.values().stream().filter(FileChannel::isOpen).count();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        List<FileChannel> toClose = new ArrayList<>(channels.values());
        channels.clear();
        IOException failure = null;
        for (FileChannel channel : toClose) {
            try {
                channel.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // A channel nobody wrote through since it was replaced; nothing of it can be lost.
        }
    }
}
