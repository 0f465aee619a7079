package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The MD5 of a partial file, computed while it downloads: a thread of its own hashes the bytes from offset 0 up to
 * the first byte not yet recorded done (recorded bytes never change again), so that the check at commit only reads
 * the tail the thread had not reached, instead of the whole file after the last byte arrived.
 *
 * <p>Thread-safety: {@link #recorded} from any thread; {@link #finish} and {@link #close} from the committing
 * thread. Owns its thread and its read channel; {@link #close} ends both (idempotent).
 */
final class PrefixDigest implements Closeable {
    private static final System.Logger LOG = System.getLogger(PrefixDigest.class.getName());
    private static final int BUFFER_BYTES = 1 << 20;
    /** Longest a stop waits for the hashing thread to finish its current read. */
    private static final long STOP_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final Path path;
    private final Thread thread;
    // Guarded by this.
    private List<ByteRange> recorded;
    private boolean stopping;
    // Written by the hashing thread only, read by the committing thread after it ended.
    private final MessageDigest digest;
    /** Volatile for {@link #hashedWhileDownloading}, which may look while the thread runs. */
    private volatile long hashedUpTo;
    private boolean atEnd;
    private IOException failure;

    /** Starts hashing {@code path}, whose ranges {@code recordedAtOpen} are final already. */
    PrefixDigest(Path path, List<ByteRange> recordedAtOpen, String threadName) {
        this.path = requireNonNull(path, "path is null");
        this.recorded = ByteRanges.merge(recordedAtOpen);
        this.digest = newMd5();
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::run);
        thread.start();
    }

    /** {@code range} holds its final bytes now (it was recorded durably). */
    synchronized void recorded(ByteRange range) {
        List<ByteRange> next = new ArrayList<>(recorded.size() + 1);
        next.addAll(recorded);
        next.add(range);
        recorded = ByteRanges.merge(next);
        notifyAll();
    }

    private synchronized long finalPrefixEnd() {
        return !recorded.isEmpty() && recorded.get(0).start() == 0 ? recorded.get(0).end() : 0;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (true) {
                long end;
                synchronized (this) {
                    // Bounded waits: a missed notify costs at most one more look.
                    while (!stopping && (finalPrefixEnd() <= hashedUpTo || atEnd)) {
                        wait(100);
                    }
                    if (stopping) {
                        return;
                    }
                    end = finalPrefixEnd();
                }
                long reached = hash(channel, buffer, hashedUpTo, end);
                // Recorded bytes lie inside the file; should the file still end early, wait for the stop.
                atEnd = reached < end && !isStopping();
                hashedUpTo = reached;
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            failure = new IOException("hashing " + path + " was interrupted", e);
        }
    }

    private synchronized boolean isStopping() {
        return stopping;
    }

    /** Hashes {@code [from, to)} (or up to the end of the file, when it is shorter); returns where it stopped. */
    private long hash(FileChannel channel, ByteBuffer buffer, long from, long to) throws IOException {
        long position = from;
        while (position < to) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), to - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
            buffer.flip();
            digest.update(buffer);
            if (isStopping()) {
                break;
            }
        }
        return position;
    }

    /**
     * Stops the thread and hashes the rest of the file, from where the thread stopped to its end, on the calling
     * thread; every write must be over. Falls back to hashing the whole file when the thread failed.
     *
     * @return the MD5 of the whole file, as 32 lower-case hex digits
     */
    String finish() throws IOException {
        if (!stop()) {
            LOG.log(System.Logger.Level.WARNING, "hashing {0} did not stop within {1} ms; hashing it again",
                    path, STOP_WAIT_MILLIS);
            return FileChecks.md5(path);
        }
        if (failure != null) {
            LOG.log(System.Logger.Level.DEBUG, "hashing {0} while it downloaded failed ({1}); hashing it again",
                    path, failure.toString());
            return FileChecks.md5(path);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
            long size = channel.size();
            long position = hashedUpTo;
            while (position < size) {
                buffer.clear();
                int n = channel.read(buffer, position);
                if (n < 0) {
                    break;
                }
                position += n;
                buffer.flip();
                digest.update(buffer);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Bytes the thread hashed before it was stopped (for tests). */
    long hashedWhileDownloading() {
        return hashedUpTo;
    }

    /** @return true when the thread ended (its state may then be read) */
    private boolean stop() {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
