package io.parcel.sink.file.internal;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link FileDestination} shares forces between ranges, and how its writers survive interrupts. */
class FileDestinationForceTest {
    private static final System.Logger LOGGER = System.getLogger(FileDestinationForceTest.class.getName());

    @TempDir
    Path dir;

    private final byte[] data = new byte[1 << 20];

    FileDestinationForceTest() {
        new Random(5).nextBytes(data);
    }

    @Test
    void rangesWrittenBeforeOneForceAreMarkedWithThatForceOnly() throws Exception {
        try (FileDestination destination = open("batch.bin")) {
            write(destination, new ByteRange(0, 1000));
            write(destination, new ByteRange(5000, 6000));
            write(destination, new ByteRange(9000, 10000));

            destination.markDone(new ByteRange(0, 1000));
            destination.markDone(new ByteRange(5000, 6000));
            destination.markDone(new ByteRange(9000, 10000));
            assertEquals(1, destination.forces(), "the first force covered all three ranges");

            write(destination, new ByteRange(1000, 2000));
            destination.markDone(new ByteRange(9000, 10000));
            assertEquals(1, destination.forces(), "nothing of that range was written since");
            destination.markDone(new ByteRange(1000, 2000));
            assertEquals(2, destination.forces(), "a range written after the last force needs its own");
        }
        List<ByteRange> journal = Journal.read(FileDestination.journalPath(dir.resolve("batch.bin"))).orElseThrow()
                .ranges();
        assertEquals(List.of(new ByteRange(0, 2000), new ByteRange(5000, 6000), new ByteRange(9000, 10000)), journal);
    }

    @Test
    void aWriteOverARangeBeingForcedIsForcedAgain() {
        UnforcedRanges unforced = new UnforcedRanges();
        unforced.written(new ByteRange(0, 100));
        List<ByteRange> covered = unforced.snapshot();
        // The same bytes written again while that force runs: it may have missed the new ones.
        unforced.written(new ByteRange(50, 80));
        unforced.written(new ByteRange(200, 300));
        unforced.forced(covered);

        assertFalse(unforced.overlaps(new ByteRange(0, 50)));
        assertTrue(unforced.overlaps(new ByteRange(60, 70)));
        assertTrue(unforced.overlaps(new ByteRange(250, 260)));
        assertFalse(unforced.overlaps(new ByteRange(100, 200)));
    }

    @Test
    void concurrentMarksShareForcesAndJournalSyncs() throws Exception {
        int threads = 8;
        int block = data.length / threads;
        try (FileDestination destination = open("shared.bin")) {
            for (int t = 0; t < threads; t++) {
                write(destination, ByteRange.ofLength((long) t * block, block));
            }
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> markers = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ByteRange range = ByteRange.ofLength((long) t * block, block);
                markers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                        destination.markDone(range);
                    } catch (Exception e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread marker : markers) {
                marker.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(marker.isAlive());
            }
            assertEquals(List.of(), failures);
            // Every range was written before any mark began: one force makes them all durable.
            assertEquals(1, destination.forces());
            destination.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("shared.bin")));
    }

    @Test
    void interruptsArrivingInsideWritesAreSurvived() throws Exception {
        try (FileDestination destination = open("storm.bin")) {
            int block = 64 * 1024;
            Thread writer = Thread.currentThread();
            // Interrupts at random moments, some inside channel calls; fewer in all than a write's attempts, so
            // every write must get through.
            Thread interrupter = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 40 && !Thread.currentThread().isInterrupted(); i++) {
                    writer.interrupt();
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
            });
            try {
                for (int offset = 0; offset < data.length; offset += block) {
                    destination.write(offset, ByteBuffer.wrap(data, offset, block));
                }
            } finally {
                interrupter.interrupt();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (interrupter.isAlive() && System.nanoTime() < deadline) {
                    try {
                        interrupter.join(100);
                    } catch (InterruptedException lateInterruptFromTheStorm) {
                        // Expected until the interrupter has ended.
                    }
                }
                Thread.interrupted();
            }
            destination.markDone(new ByteRange(0, data.length));
            destination.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("storm.bin")));
    }

    @Test
    void theMd5OfTheRecordedPrefixIsComputedWhileTheFileArrives() throws Exception {
        String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
        int half = data.length / 2;
        try (FileDestination destination = open("hashed.bin", Optional.of(md5))) {
            // Recorded out of order: the prefix from 0 only grows once the first block is there.
            write(destination, new ByteRange(half, data.length));
            destination.markDone(new ByteRange(half, data.length));
            write(destination, new ByteRange(0, half));
            destination.markDone(new ByteRange(0, half));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (destination.md5HashedWhileDownloading() < data.length && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(data.length, destination.md5HashedWhileDownloading());
            destination.commit();
        }
        assertArrayEquals(data, Files.readAllBytes(dir.resolve("hashed.bin")));
    }

    @Test
    void aWrongMd5IsStillCaughtWhenTheFileWasHashedWhileItArrived() throws Exception {
        String wrong = "0123456789abcdef0123456789abcdef";
        try (FileDestination destination = open("wrong.bin", Optional.of(wrong))) {
            write(destination, new ByteRange(0, data.length));
            destination.markDone(new ByteRange(0, 1000));
            assertThrows(io.parcel.spi.VerificationException.class, destination::commit);
        }
        assertFalse(Files.exists(dir.resolve("wrong.bin")));
        assertFalse(Files.exists(FileDestination.partialPath(dir.resolve("wrong.bin"))));
    }

    private FileDestination open(String name, Optional<String> md5) throws Exception {
        Resource resource = new Resource(name, URI.create("http://127.0.0.1/" + name), name, data.length,
                md5, true, Optional.of("\"v\""));
        return FileDestination.open(dir, dir.resolve(name), resource, true, false, LOGGER);
    }

    private FileDestination open(String name) throws Exception {
        return open(name, Optional.empty());
    }

    private void write(FileDestination destination, ByteRange range) throws Exception {
        destination.write(range.start(), ByteBuffer.wrap(data, (int) range.start(), (int) range.length()));
    }
}
