package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.ParcelException;
import io.parcel.spi.Resource;
import io.parcel.spi.TransferException;
import io.parcel.spi.UsageException;
import io.parcel.spi.VerificationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;
import static java.util.Objects.requireNonNull;

/**
 * One resource being written to {@code <dir>/<name>.partial}, with its journal at {@code <name>.partial.journal}.
 *
 * <p>Writes go through {@link DataWriters}, one plain {@code FileChannel} per writing thread, so an interrupt
 * reaching one writer never closes the file for the others. Forces, the lock, size and truncation go through an
 * {@link AsynchronousFileChannel}, whose calls an interrupt cannot abort. The {@link Journal} is interrupt-safe
 * as well.
 *
 * <p>When an MD5 is to be checked, a {@link PrefixDigest} hashes the recorded prefix of the file while it
 * downloads, so commit reads only the tail back.
 *
 * <p>{@link #markDone} forces the data only when some of its range was written after the last force began
 * ({@link UnforcedRanges}): when many ranges are marked at once or one after the other (many connections, or a
 * caller marking a batch), one force serves them all.
 *
 * <p>Thread-safety: {@link #write} and {@link #markDone} from many threads at once; {@link #commit} and
 * {@link #close} once, after the writers stopped. A lock on the partial file keeps a second process out.
 */
public final class FileDestination implements Destination {
    private enum State { OPEN, COMMITTED, FAILED, CLOSED }

    private final Path dir;
    private final Path finalPath;
    private final Path partialPath;
    private final Path journalPath;
    private final Resource resource;
    private final boolean verify;
    private final boolean overwrite;
    private final System.Logger logger;
    private final AsynchronousFileChannel data;
    private final DataWriters writers;
    /** The MD5 computed as the file arrives; null when no MD5 is to be checked. */
    private final PrefixDigest digest;
    private final FileLock lock;
    private final Journal journal;
    private final List<ByteRange> doneAtOpen;
    private volatile State state = State.OPEN;
    /** Serialises forces, so that a caller finding its range covered by a finished force skips its own. */
    private final Object forceLock = new Object();
    private final UnforcedRanges unforced = new UnforcedRanges();
    /** Forces done by {@link #markDone} (for tests). */
    private long forces;

    private FileDestination(Path dir, Path finalPath, Resource resource, boolean verify, boolean overwrite,
                            System.Logger logger, AsynchronousFileChannel data, FileLock lock,
                            Journal journal, List<ByteRange> doneAtOpen) {
        this.dir = dir;
        this.finalPath = finalPath;
        this.partialPath = partialPath(finalPath);
        this.journalPath = journalPath(finalPath);
        this.resource = resource;
        this.verify = verify;
        this.overwrite = overwrite;
        this.logger = logger;
        this.data = data;
        this.writers = new DataWriters(partialPath);
        this.digest = verify && resource.md5().isPresent()
                ? new PrefixDigest(partialPath, doneAtOpen, "parcel-md5-" + finalPath.getFileName()) : null;
        this.lock = lock;
        this.journal = journal;
        this.doneAtOpen = List.copyOf(doneAtOpen);
    }

    public static Path partialPath(Path finalPath) {
        return finalPath.resolveSibling(finalPath.getFileName() + ".partial");
    }

    public static Path journalPath(Path finalPath) {
        return finalPath.resolveSibling(finalPath.getFileName() + ".partial.journal");
    }

    /**
     * Opens the partial file and its journal, resuming from the journal when it belongs to the same resource
     * (same size, validator and MD5) and starting over otherwise.
     */
    public static FileDestination open(Path dir, Path finalPath, Resource resource, boolean verify, boolean overwrite,
                                       System.Logger logger) throws IOException {
        requireNonNull(dir, "dir is null");
        requireNonNull(finalPath, "finalPath is null");
        requireNonNull(resource, "resource is null");
        requireNonNull(logger, "logger is null");
        Path partial = partialPath(finalPath);
        Path journalFile = journalPath(finalPath);
        boolean created = !Files.exists(partial, LinkOption.NOFOLLOW_LINKS);
        AsynchronousFileChannel data;
        try {
            data = AsynchronousFileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw FileChecks.writeFailure(partial, e);
        }
        Journal journal = null;
        try {
            FileLock lock = tryLock(data, partial);
            List<ByteRange> done = recover(data, journalFile, resource, logger, partial);
            SpaceCheck.require(dir, resource, done);
            journal = Journal.create(journalFile,
                    new Journal.Contents(resource.size(), resource.validator(), resource.md5(), done));
            FileChecks.syncDirectory(dir);
            return new FileDestination(dir, finalPath, resource, verify, overwrite, logger, data, lock, journal, done);
        } catch (IOException e) {
            abandon(data, journal, created ? partial : null, e);
            throw e instanceof ParcelException ? e : FileChecks.writeFailure(partial, e);
        } catch (RuntimeException e) {
            abandon(data, journal, created ? partial : null, e);
            throw e;
        }
    }

    /** Undoes a failed open: closes what was opened and removes a partial file this open created. */
    private static void abandon(AsynchronousFileChannel data, Journal journal, Path createdPartial, Throwable failure) {
        closeQuietly(journal, failure);
        closeQuietly(data, failure);
        if (createdPartial != null) {
            try {
                Files.deleteIfExists(createdPartial);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static FileLock tryLock(AsynchronousFileChannel data, Path partial) throws IOException {
        FileLock lock;
        try {
            lock = data.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new TransferException("another download is writing " + partial + " right now", false);
        }
        return lock;
    }

    /** The ranges of an earlier run still good for this resource; truncates the partial file when there are none. */
    private static List<ByteRange> recover(AsynchronousFileChannel data, Path journalFile, Resource resource,
                                           System.Logger logger, Path partial) throws IOException {
        var previous = Journal.read(journalFile);
        String reason = previous.isEmpty() ? "no journal"
                : !resource.sizeKnown() ? "the size is unknown"
                : previous.get().size() != resource.size() ? "the size changed"
                : !previous.get().validator().equals(resource.validator()) ? "the validator changed"
                : previous.get().md5().isPresent() && resource.md5().isPresent()
                  && !previous.get().md5().equals(resource.md5()) ? "the MD5 changed"
                : null;
        long existing = data.size();
        if (reason == null) {
            if (existing > resource.size()) {
                data.truncate(resource.size());
            }
            List<ByteRange> done = ByteRanges.clip(previous.get().ranges(), Math.min(existing, resource.size()));
            logger.log(INFO, () -> "resuming " + partial + ": " + ByteRanges.totalLength(done) + " of "
                    + resource.size() + " bytes already there");
            return done;
        }
        if (existing > 0 || previous.isPresent()) {
            logger.log(INFO, "starting " + partial + " over: " + reason);
        }
        data.truncate(0);
        data.force(true);
        return List.of();
    }

    @Override
    public String location() {
        return finalPath.toString();
    }

    @Override
    public boolean alreadyComplete() {
        return false;
    }

    @Override
    public List<ByteRange> doneRanges() {
        return doneAtOpen;
    }

    @Override
    public void write(long offset, ByteBuffer buffer) throws IOException {
        requireNonNull(buffer, "buffer is null");
        checkOpen();
        long length = buffer.remaining();
        if (offset < 0 || (resource.sizeKnown() && offset + length > resource.size())) {
            throw new IllegalArgumentException("write of " + length + " bytes at " + offset + " is outside "
                    + resource.name() + " (" + resource.size() + " bytes)");
        }
        try {
            writers.write(offset, buffer);
            unforced.written(ByteRange.ofLength(offset, length));
        } catch (IOException e) {
            throw FileChecks.writeFailure(partialPath, e);
        }
    }

    @Override
    public void markDone(ByteRange range) throws IOException {
        requireNonNull(range, "range is null");
        checkOpen();
        if (resource.sizeKnown() && range.end() > resource.size()) {
            throw new IllegalArgumentException("range " + range + " is outside " + resource.name() + " ("
                    + resource.size() + " bytes)");
        }
        try {
            // Data first: a journal record must never promise bytes that a crash could still lose.
            force(range);
            journal.append(range);
            if (digest != null) {
                digest.recorded(range);
            }
        } catch (IOException e) {
            throw FileChecks.writeFailure(journalPath, e);
        }
    }

    /** Makes the data of {@code range} durable, unless a force since its writes did so already. */
    private void force(ByteRange range) throws IOException {
        synchronized (forceLock) {
            if (!unforced.overlaps(range)) {
                return;
            }
            List<ByteRange> covered = unforced.snapshot();
            data.force(false);
            unforced.forced(covered);
            forces++;
        }
    }

    /** Bytes the MD5 covered before commit, or -1 without an MD5 check (for tests). */
    long md5HashedWhileDownloading() {
        return digest == null ? -1 : digest.hashedWhileDownloading();
    }

    long forces() {
        synchronized (forceLock) {
            return forces;
        }
    }

    @Override
    public synchronized void commit() throws IOException {
        checkOpen();
        try {
            data.force(true);
            long length = data.size();
            if (resource.sizeKnown() && length != resource.size()) {
                throw fail("size mismatch for " + finalPath + ": expected " + resource.size() + " bytes, found "
                        + length);
            }
            warnAboutGaps(length);
            if (digest != null) {
                // Most of the file was hashed while it downloaded; this reads only the rest.
                String actual = digest.finish();
                if (!actual.equals(resource.md5().get())) {
                    throw fail("MD5 mismatch for " + finalPath + ": expected " + resource.md5().get() + ", got "
                            + actual);
                }
            }
            state = State.CLOSED;
            closeFiles();
            if (!overwrite && Files.exists(finalPath, LinkOption.NOFOLLOW_LINKS)) {
                throw new UsageException(finalPath + " appeared while it was being downloaded; use --overwrite");
            }
            Files.move(partialPath, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(journalPath);
            FileChecks.syncDirectory(dir);
            state = State.COMMITTED;
            logger.log(DEBUG, () -> "finished " + finalPath + " (" + length + " bytes"
                    + (verify && resource.md5().isPresent() ? ", MD5 verified" : "") + ")");
        } catch (ParcelException e) {
            throw e;
        } catch (IOException e) {
            throw FileChecks.writeFailure(finalPath, e);
        }
    }

    private void warnAboutGaps(long length) {
        List<ByteRange> recorded = ByteRanges.merge(concat(doneAtOpen, readJournalRanges()));
        List<ByteRange> gaps = ByteRanges.gaps(recorded, length);
        if (!gaps.isEmpty()) {
            logger.log(WARNING, () -> "committing " + finalPath + " with ranges never marked done: " + gaps);
        }
    }

    private List<ByteRange> readJournalRanges() {
        try {
            return Journal.read(journalPath).map(Journal.Contents::ranges).orElse(List.of());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<ByteRange> concat(List<ByteRange> a, List<ByteRange> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    /** Removes everything of this download, so nothing that looks complete or resumable remains. */
    private VerificationException fail(String message) throws IOException {
        state = State.FAILED;
        closeFiles();
        Files.deleteIfExists(partialPath);
        Files.deleteIfExists(journalPath);
        FileChecks.syncDirectory(dir);
        logger.log(DEBUG, () -> message + "; removed " + partialPath);
        return new VerificationException(message);
    }

    private void closeFiles() throws IOException {
        IOException failure = null;
        if (digest != null) {
            digest.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {lock, writers, data, journal}) {
            try {
                if (closeable == lock) {
                    if (lock.isValid()) {
                        lock.release();
                    }
                } else {
                    closeable.close();
                }
            } catch (Exception e) {
                IOException io = e instanceof IOException known ? known : new IOException(e);
                if (failure == null) {
                    failure = io;
                } else {
                    failure.addSuppressed(io);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void checkOpen() {
        State current = state;
        if (current != State.OPEN) {
            throw new IllegalStateException(finalPath + " is " + current.name().toLowerCase(Locale.ROOT));
        }
    }

    /** Keeps the partial file and journal for a later resume. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (state == State.OPEN) {
            state = State.CLOSED;
            closeFiles();
        }
    }

    private static void closeQuietly(AutoCloseable closeable, Throwable primary) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                primary.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        return "FileDestination[" + partialPath + ", " + state + "]";
    }
}
