package io.parcel.kernel.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.parcel.kernel.internal.SegmentScheduler.Segment;
import io.parcel.spi.ByteRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentSchedulerTest {
    private static final long KIB = 1024;

    @Test
    void cutsRemainingRangesIntoSegmentsInOrderAndSkipsDoneOnes() {
        // [100, 250) and [400, 430) remain: the bytes in between are done and must never be handed out.
        SegmentScheduler scheduler = new SegmentScheduler(
                List.of(new ByteRange(100, 250), new ByteRange(400, 430)), 64, Long.MAX_VALUE, 1);
        List<ByteRange> handedOut = new ArrayList<>();
        Optional<Segment> next;
        while ((next = scheduler.next()).isPresent()) {
            Segment segment = next.get();
            handedOut.add(new ByteRange(scheduler.position(segment), scheduler.end(segment)));
        }
        assertEquals(List.of(new ByteRange(100, 164), new ByteRange(164, 228), new ByteRange(228, 250),
                new ByteRange(400, 430)), handedOut);
    }

    @Test
    void anAssignedRangeIsCarvedOutOfThePiecesNotHandedOutYet() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 1000)), 400, Long.MAX_VALUE, 1);

        Segment given = scheduler.assign(new ByteRange(0, 100)).orElseThrow();

        assertEquals(0, scheduler.position(given));
        assertEquals(100, scheduler.end(given));
        assertEquals(List.of(new ByteRange(100, 400), new ByteRange(400, 800), new ByteRange(800, 1000)),
                handOutAll(scheduler));
        assertEquals(List.of(new ByteRange(0, 100), new ByteRange(100, 400), new ByteRange(400, 800),
                new ByteRange(800, 1000)), scheduler.unreceived(), "the assigned range is in flight, not received");
    }

    @Test
    void anAssignedRangeMaySpanSeveralPieces() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 1000)), 64, Long.MAX_VALUE, 1);

        Segment given = scheduler.assign(new ByteRange(0, 150)).orElseThrow();

        assertEquals(150, scheduler.end(given));
        assertEquals(new ByteRange(150, 192), handOutAll(scheduler).get(0));
    }

    @Test
    void aRangeNotWhollyToBeFetchedIsNotAssigned() {
        // A resume: [50, 80) is done, and [0, 100) handed out whole would fetch it again.
        SegmentScheduler scheduler = new SegmentScheduler(
                List.of(new ByteRange(0, 50), new ByteRange(80, 1000)), 400, Long.MAX_VALUE, 1);
        assertTrue(scheduler.assign(new ByteRange(0, 100)).isEmpty());
        // Nor a range of which a piece was handed out already.
        Segment first = scheduler.next().orElseThrow();
        assertEquals(new ByteRange(0, 50), new ByteRange(scheduler.position(first), scheduler.end(first)));
        assertTrue(scheduler.assign(new ByteRange(0, 10)).isEmpty());

        assertEquals(List.of(new ByteRange(80, 480), new ByteRange(480, 880), new ByteRange(880, 1000)),
                handOutAll(scheduler));
    }

    private static List<ByteRange> handOutAll(SegmentScheduler scheduler) {
        List<ByteRange> handedOut = new ArrayList<>();
        Optional<Segment> next;
        while ((next = scheduler.next()).isPresent()) {
            handedOut.add(new ByteRange(scheduler.position(next.get()), scheduler.end(next.get())));
        }
        return handedOut;
    }

    @Test
    void idleWorkerStealsUpperHalfOfTheSegmentWithMostBytesLeft() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 3000 * KIB)), 1000 * KIB, 100 * KIB, 2 * KIB);
        Segment first = scheduler.next().orElseThrow();
        Segment second = scheduler.next().orElseThrow();
        Segment third = scheduler.next().orElseThrow();
        scheduler.claim(first, 900 * KIB);   // 100 KiB left
        scheduler.claim(second, 100 * KIB);  // 900 KiB left: the slow one
        scheduler.claim(third, 1000 * KIB);
        scheduler.complete(third);

        Segment thief = scheduler.next().orElseThrow();

        // The second segment is at 1100 KiB with 900 KiB left; its upper half starts at 1550 KiB.
        assertEquals(1550 * KIB, scheduler.position(thief));
        assertEquals(2000 * KIB, scheduler.end(thief));
        assertEquals(1550 * KIB, scheduler.end(second));
        assertEquals(450 * KIB, scheduler.remaining(second));
    }

    @Test
    void splitPointIsAlignedWhenThatStillLeavesTheVictimSomething() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 1_000_001)), 2_000_000, 10, 4096);
        Segment only = scheduler.next().orElseThrow();
        scheduler.claim(only, 3);
        Segment thief = scheduler.next().orElseThrow();
        assertEquals(0, scheduler.position(thief) % 4096);
        assertEquals(scheduler.position(thief), scheduler.end(only));
        assertTrue(scheduler.remaining(only) > 0);
    }

    @Test
    void neverSplitsBelowTheMinimum() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 1000)), 1000, 600, 1);
        Segment only = scheduler.next().orElseThrow();
        assertTrue(scheduler.next().isPresent(), "1000 bytes left may be split at a 600-byte minimum");
        scheduler.claim(only, 10);  // the victim now has 490 left
        assertEquals(Optional.empty(), scheduler.next());
    }

    @Test
    void endGameHalvesASegmentBelowTheMinimumSplitWhoseRateNeedsOverASecond() {
        long[] now = {0};
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 1024 * KIB)), 1024 * KIB,
                4096 * KIB, 64 * KIB, () -> now[0]);
        Segment slow = scheduler.next().orElseThrow();
        for (int i = 0; i < 10; i++) {          // 100 KiB in 1 s: 924 KiB left need 9 s
            now[0] += 100_000_000L;
            scheduler.claim(slow, 10 * KIB);
        }
        assertTrue(scheduler.mayHaveWorkLater());

        Segment thief = scheduler.next().orElseThrow();

        // 924 KiB left from 100 KiB: the upper half from 562 KiB, rounded down to 64 KiB, i.e. from 512 KiB.
        assertEquals(512 * KIB, scheduler.position(thief));
        assertEquals(1024 * KIB, scheduler.end(thief));
        assertEquals(512 * KIB, scheduler.end(slow));
    }

    @Test
    void endGameLeavesAloneASegmentThatFinishesWithinASecondOrWasNotWatchedLongEnough() {
        long[] now = {0};
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 2048 * KIB)), 1024 * KIB,
                4096 * KIB, 64 * KIB, () -> now[0]);
        Segment fast = scheduler.next().orElseThrow();
        Segment young = scheduler.next().orElseThrow();
        now[0] += 400_000_000L;                 // 0.4 s: not watched long enough, however slow
        scheduler.claim(young, 1);
        scheduler.claim(fast, 600 * KIB);
        assertEquals(Optional.empty(), scheduler.next());

        now[0] += 200_000_000L;                 // fast: 600 KiB in 0.6 s, 424 KiB left need 0.7 s
        Segment thief = scheduler.next().orElseThrow();
        assertEquals(scheduler.position(thief), scheduler.end(young), "the young, slow segment is the one halved");
        assertEquals(1024 * KIB, scheduler.end(fast));
    }

    @Test
    void endGameHalvesAStalledSegmentAndStopsAtTwoMinimumPieces() {
        long[] now = {0};
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 256 * KIB)), 256 * KIB,
                4096 * KIB, 64 * KIB, () -> now[0]);
        Segment stalled = scheduler.next().orElseThrow();
        now[0] += 500_000_000L;                 // nothing arrived in half a second
        Segment thief = scheduler.next().orElseThrow();
        assertEquals(128 * KIB, scheduler.end(stalled));
        assertEquals(128 * KIB, scheduler.position(thief));

        now[0] += 10_000_000_000L;              // 128 KiB each: one more split would leave less than 64 KiB a side
        scheduler.claim(stalled, 1);
        scheduler.claim(thief, 1);
        assertEquals(Optional.empty(), scheduler.next());
        assertFalse(scheduler.mayHaveWorkLater());
    }

    @Test
    void endGameJudgesASegmentByItsRecentRateNotItsAverage() {
        long[] now = {0};
        long size = 4096 * KIB + 64 * KIB + 300 * KIB;
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, size)), size, 8192 * KIB,
                64 * KIB, () -> now[0]);
        Segment segment = scheduler.next().orElseThrow();
        for (int i = 0; i < 40; i++) {          // 4 s at 1 MiB/s
            now[0] += 100_000_000L;
            scheduler.claim(segment, 1024 * KIB / 10);
        }
        for (int i = 0; i < 40; i++) {          // then 4 s at 16 KiB/s
            now[0] += 100_000_000L;
            scheduler.claim(segment, 16 * KIB / 10);
        }
        // 300 KiB left: 0.6 s at the average (0.51 MiB/s), 19 s at the recent rate.
        assertTrue(scheduler.next().isPresent());
    }

    @Test
    void withoutRangeSupportNoWorkerWaitsForAnEndGame() {
        long[] now = {0};
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 1024 * KIB)), Long.MAX_VALUE,
                Long.MAX_VALUE, 64 * KIB, () -> now[0]);
        scheduler.next().orElseThrow();
        now[0] += 10_000_000_000L;
        assertEquals(Optional.empty(), scheduler.next());
        assertFalse(scheduler.mayHaveWorkLater());
    }

    @Test
    void claimBeyondAStolenEndIsCutAtTheNewEnd() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 1000)), 1000, 1, 1);
        Segment victim = scheduler.next().orElseThrow();
        Segment thief = scheduler.next().orElseThrow();
        assertEquals(500, scheduler.end(victim));

        // The victim had read 700 bytes before it learnt about the steal: only 500 are its own.
        assertEquals(500, scheduler.claim(victim, 700));
        assertEquals(0, scheduler.remaining(victim));
        scheduler.complete(victim);
        assertEquals(500, scheduler.claim(thief, 500));
        scheduler.complete(thief);
        assertTrue(scheduler.isFinished());
    }

    @Test
    void rewindGivesBackBytesWhoseWriteFailed() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 100)), 100, Long.MAX_VALUE, 1);
        Segment segment = scheduler.next().orElseThrow();
        scheduler.claim(segment, 60);
        scheduler.rewind(segment, 40);
        assertEquals(List.of(new ByteRange(40, 100)), scheduler.unreceived());
        assertThrows(IllegalArgumentException.class, () -> scheduler.rewind(segment, 50));
        assertThrows(IllegalStateException.class, () -> scheduler.complete(segment));
    }

    @Test
    void unknownLengthIsOnePieceNeverSplitAndEndsWhereTheStreamEnded() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, Long.MAX_VALUE)), 16, 1, 1);
        Segment segment = scheduler.next().orElseThrow();
        assertEquals(Long.MAX_VALUE, scheduler.end(segment));
        scheduler.claim(segment, 1_000_000);
        assertEquals(Optional.empty(), scheduler.next());
        scheduler.complete(segment);
        assertEquals(1_000_000, scheduler.end(segment));
        assertTrue(scheduler.isFinished());
    }

    @Test
    void abortStopsHandingOutWork() {
        SegmentScheduler scheduler = new SegmentScheduler(List.of(new ByteRange(0, 100)), 10, 1, 1);
        scheduler.next().orElseThrow();
        scheduler.abort();
        assertEquals(Optional.empty(), scheduler.next());
        assertFalse(scheduler.isFinished());
    }

    /**
     * Steps many workers by hand in a random order (seeded, so a failure replays): reads of random sizes, idle
     * workers stealing, failed writes rewound. Every byte of the remaining ranges must be written exactly once.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void everyByteIsCoveredExactlyOnce(long seed) {
        Random random = new Random(seed);
        List<ByteRange> remaining = List.of(new ByteRange(0, 5000), new ByteRange(7000, 9000), new ByteRange(9500, 30_011));
        SegmentScheduler scheduler = new SegmentScheduler(remaining, 1 + random.nextInt(4000), 1 + random.nextInt(300), 1 + random.nextInt(64));
        int workers = 1 + random.nextInt(12);
        Segment[] current = new Segment[workers];
        boolean[] finished = new boolean[workers];
        List<ByteRange> written = new ArrayList<>();
        for (int step = 0; step < 1_000_000 && !allTrue(finished); step++) {
            int worker = random.nextInt(workers);
            if (finished[worker]) {
                continue;
            }
            if (current[worker] == null) {
                Optional<Segment> next = scheduler.next();
                if (next.isEmpty()) {
                    finished[worker] = true;
                } else {
                    current[worker] = next.get();
                }
                continue;
            }
            write(scheduler, current, worker, 1 + random.nextInt(700), random.nextInt(20) == 0, written);
        }
        assertEachByteWrittenOnce(scheduler, finished, remaining, written);
    }

    /**
     * As above with a clock that advances and streams of very different speeds, so that the end game splits below
     * the minimum too; idle workers wait while the scheduler says work may still come, and must all finish.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void everyByteIsCoveredExactlyOnceInTheEndGame(long seed) {
        Random random = new Random(seed);
        long[] now = {0};
        List<ByteRange> remaining = List.of(new ByteRange(0, 3000 * KIB), new ByteRange(3500 * KIB, 5000 * KIB + 7));
        SegmentScheduler scheduler = new SegmentScheduler(remaining, (1 + random.nextInt(2000)) * KIB,
                (1 + random.nextInt(2000)) * KIB, 1 + random.nextInt(64 * 1024), () -> now[0]);
        int workers = 2 + random.nextInt(8);
        int[] speed = new int[workers];
        for (int i = 0; i < workers; i++) {
            speed[i] = random.nextInt(4) == 0 ? 1 + random.nextInt(100) : 1000 + random.nextInt(30_000);
        }
        Segment[] current = new Segment[workers];
        boolean[] finished = new boolean[workers];
        List<ByteRange> written = new ArrayList<>();
        for (int step = 0; step < 2_000_000 && !allTrue(finished); step++) {
            now[0] += random.nextInt(2_000_000);
            int worker = random.nextInt(workers);
            if (finished[worker]) {
                continue;
            }
            if (current[worker] == null) {
                Optional<Segment> next = scheduler.next();
                if (next.isPresent()) {
                    current[worker] = next.get();
                } else if (!scheduler.mayHaveWorkLater()) {
                    finished[worker] = true;
                }
                continue;
            }
            write(scheduler, current, worker, 1 + random.nextInt(speed[worker]), random.nextInt(50) == 0, written);
        }
        assertEachByteWrittenOnce(scheduler, finished, remaining, written);
    }

    /**
     * One read of {@code worker}: claims up to {@code bytes} of its segment and records them as written, or rewinds
     * them when {@code fails} (the write failed: nothing was written); completes the segment once it is done.
     */
    private static void write(SegmentScheduler scheduler, Segment[] current, int worker, long bytes, boolean fails,
                              List<ByteRange> written) {
        Segment segment = current[worker];
        long position = scheduler.position(segment);
        long accepted = scheduler.claim(segment, bytes);
        if (fails) {
            scheduler.rewind(segment, position);
        } else if (accepted > 0) {
            written.add(ByteRange.ofLength(position, accepted));
        }
        if (scheduler.remaining(segment) == 0) {
            scheduler.complete(segment);
            current[worker] = null;
        }
    }

    private static void assertEachByteWrittenOnce(SegmentScheduler scheduler, boolean[] finished,
                                                  List<ByteRange> remaining, List<ByteRange> written) {
        assertTrue(allTrue(finished), "the workers did not finish");
        assertTrue(scheduler.isFinished());
        assertEquals(remaining, union(written));
        assertEquals(remaining.stream().mapToLong(ByteRange::length).sum(),
                written.stream().mapToLong(ByteRange::length).sum(), "some byte was written twice");
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean value : values) {
            if (!value) {
                return false;
            }
        }
        return true;
    }

    /** Sorted, merged; fails on any overlap. */
    static List<ByteRange> union(List<ByteRange> ranges) {
        List<ByteRange> sorted = new ArrayList<>(ranges);
        sorted.sort(null);
        List<ByteRange> result = new ArrayList<>();
        for (ByteRange range : sorted) {
            if (range.isEmpty()) {
                continue;
            }
            if (!result.isEmpty()) {
                ByteRange last = result.get(result.size() - 1);
                assertTrue(range.start() >= last.end(), "overlap: " + last + " and " + range);
                if (range.start() == last.end()) {
                    result.set(result.size() - 1, new ByteRange(last.start(), range.end()));
                    continue;
                }
            }
            result.add(range);
        }
        return result;
    }
}
