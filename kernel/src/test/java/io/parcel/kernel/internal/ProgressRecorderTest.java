package io.parcel.kernel.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.parcel.spi.ByteRange;
import io.parcel.spi.Destination;
import io.parcel.spi.TransferException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressRecorderTest {
    private static final long NO_STALL_LIMIT = TimeUnit.SECONDS.toNanos(30);

    private final RecordingDestination destination = new RecordingDestination();
    private final StopSignal stop = new StopSignal();
    private final AtomicLong recordedBytes = new AtomicLong();

    @Test
    void postingRecordsNothingUntilTheFileThreadRecordsAndThenOneRangePerContiguousRun() throws Exception {
        ProgressRecorder recorder = recorder(1 << 20);
        // Two connections, each posting contiguous pieces of its own segment, interleaved.
        recorder.post(new ByteRange(0, 100));
        recorder.post(new ByteRange(1000, 1100));
        recorder.post(new ByteRange(100, 250));
        recorder.post(new ByteRange(1100, 1300));
        assertEquals(List.of(), destination.marked(), "a connection never records itself");
        assertEquals(550, recorder.backlog());

        assertEquals(2, recorder.recordPending(0));

        assertEquals(List.of(new ByteRange(0, 250), new ByteRange(1000, 1300)), destination.marked());
        assertEquals(550, recordedBytes.get());
        assertEquals(0, recorder.backlog());
        assertEquals(0, recorder.recordPending(0), "nothing new was posted");
    }

    @Test
    void aConnectionWaitsWhileTheBacklogIsFullAndGoesOnOnceItIsRecorded() throws Exception {
        ProgressRecorder recorder = recorder(100);
        recorder.post(new ByteRange(0, 100));
        List<Throwable> failures = new ArrayList<>();
        Thread second = Thread.ofPlatform().name("second-connection").start(() -> {
            try {
                recorder.post(new ByteRange(100, 150));
            } catch (TransferException | RuntimeException e) {
                synchronized (failures) {
                    failures.add(e);
                }
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (second.getState() != Thread.State.TIMED_WAITING && second.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(second.isAlive(), "the post went past the full backlog without waiting");
        assertEquals(100, recorder.backlog());

        while (recordedBytes.get() < 150 && System.nanoTime() < deadline) {
            recorder.recordPending(50);
        }
        second.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(second.isAlive());
        synchronized (failures) {
            assertEquals(List.of(), failures);
        }
        assertEquals(150, recordedBytes.get());
        assertEquals(List.of(new ByteRange(0, 100), new ByteRange(100, 150)), destination.marked(),
                "the waiting post came after the first round");
    }

    @Test
    void aConnectionWaitingOnAStuckRecorderFailsAfterTheStallLimit() throws Exception {
        ProgressRecorder recorder = new ProgressRecorder(destination, stop, 100, TimeUnit.MILLISECONDS.toNanos(50),
                recordedBytes::addAndGet);
        recorder.post(new ByteRange(0, 100));

        TransferException error = assertThrows(TransferException.class, () -> recorder.post(new ByteRange(100, 200)));

        assertFalse(error.retryable(), error.getMessage());
        assertTrue(error.getMessage().contains("disk"), error.getMessage());
    }

    @Test
    void aStoppedFileNeverMakesAConnectionWaitAndStillRecordsWhatWasPosted() throws Exception {
        ProgressRecorder recorder = recorder(100);
        recorder.post(new ByteRange(0, 100));
        stop.stop();

        recorder.post(new ByteRange(100, 300));

        assertEquals(1, recorder.recordPending(0));
        assertEquals(List.of(new ByteRange(0, 300)), destination.marked(), "kept for a resume");
    }

    @Test
    void aFailedRecordingIsReportedOnceAndLaterPostsAreDropped() throws Exception {
        ProgressRecorder recorder = recorder(100);
        IOException diskFull = new IOException("no space left on device");
        destination.failWith(diskFull);
        recorder.post(new ByteRange(0, 100));

        assertSame(diskFull, assertThrows(IOException.class, () -> recorder.recordPending(0)));

        // A connection must not wait on a recorder that gave up.
        recorder.post(new ByteRange(100, 300));
        recorder.post(new ByteRange(300, 500));
        assertEquals(0, recorder.recordPending(0));
        assertEquals(List.of(), destination.marked());
        assertEquals(0, recordedBytes.get());
    }

    @Test
    void wakeEndsAWaitForPostsEarly() throws Exception {
        ProgressRecorder recorder = recorder(100);
        CompletableFuture<Integer> round = CompletableFuture.supplyAsync(() -> {
            try {
                return recorder.recordPending(TimeUnit.MINUTES.toMillis(10));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        recorder.wake();

        assertEquals(0, round.get(30, TimeUnit.SECONDS));
    }

    @Test
    void rangesWaitForTheirBatchUnlessHalfTheBacklogIsReached() throws Exception {
        ProgressRecorder recorder = new ProgressRecorder(destination, stop, 100, NO_STALL_LIMIT,
                recordedBytes::addAndGet, 1, "test-recorder-", TimeUnit.MINUTES.toNanos(10));
        recorder.post(new ByteRange(0, 10));
        recorder.post(new ByteRange(20, 30));
        // Neither old enough nor half the backlog, yet the last round (no wait) records what is there.
        assertEquals(2, recorder.recordPending(0));
        assertEquals(List.of(new ByteRange(0, 10), new ByteRange(20, 30)), destination.marked());

        recorder.post(new ByteRange(40, 50));
        recorder.post(new ByteRange(60, 110));
        // 60 bytes waiting of a 100 byte limit: the batch is full long before its ten minutes are up.
        CompletableFuture<Integer> round = CompletableFuture.supplyAsync(() -> {
            try {
                return recorder.recordPending(TimeUnit.MINUTES.toMillis(10));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(2, round.get(30, TimeUnit.SECONDS));
        assertEquals(80, recordedBytes.get());
        assertEquals(List.of(new ByteRange(0, 10), new ByteRange(20, 30), new ByteRange(40, 50),
                new ByteRange(60, 110)), destination.marked());
    }

    @Test
    void aFinishedRangeIsRecordedAtOnceNotAtTheBatchDeadline() throws Exception {
        ProgressRecorder recorder = new ProgressRecorder(destination, stop, 1_000, NO_STALL_LIMIT,
                recordedBytes::addAndGet, 1, "test-recorder-", TimeUnit.MINUTES.toNanos(10));
        recorder.post(new ByteRange(0, 10));
        // A connection reached the end of its range: a kill -9 from now on must not cost it again.
        recorder.post(new ByteRange(10, 20), true);
        CompletableFuture<Integer> round = CompletableFuture.supplyAsync(() -> {
            try {
                return recorder.recordPending(TimeUnit.MINUTES.toMillis(10));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // Far below the ten-minute batch and 2% of the backlog limit: only the finished range makes it urgent.
        assertEquals(1, round.get(30, TimeUnit.SECONDS));
        assertEquals(List.of(new ByteRange(0, 20)), destination.marked());
    }

    @Test
    void mergeJoinsTouchingRangesOnly() {
        assertEquals(List.of(new ByteRange(0, 30), new ByteRange(31, 40)),
                ProgressRecorder.merge(List.of(new ByteRange(20, 30), new ByteRange(31, 40), new ByteRange(0, 10),
                        new ByteRange(10, 20))));
    }

    private ProgressRecorder recorder(long backlogLimit) {
        return new ProgressRecorder(destination, stop, backlogLimit, NO_STALL_LIMIT, recordedBytes::addAndGet);
    }

    /** Records {@link #markDone} calls; fails them when told to. */
    private static final class RecordingDestination implements Destination {
        private final List<ByteRange> marked = new ArrayList<>();
        private IOException failure;

        synchronized List<ByteRange> marked() {
            return List.copyOf(marked);
        }

        synchronized void failWith(IOException error) {
            failure = error;
        }

        @Override
        public synchronized void markDone(ByteRange range) throws IOException {
            if (failure != null) {
                throw failure;
            }
            marked.add(range);
        }

        @Override
        public String location() {
            return "recording";
        }

        @Override
        public boolean alreadyComplete() {
            return false;
        }

        @Override
        public List<ByteRange> doneRanges() {
            return List.of();
        }

        @Override
        public void write(long offset, ByteBuffer data) {
            throw new UnsupportedOperationException("the recorder never writes");
        }

        @Override
        public void commit() {
            throw new UnsupportedOperationException("the recorder never commits");
        }

        @Override
        public void close() {
        }
    }
}
