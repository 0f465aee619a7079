package io.parcel.transport.tcp.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WriteWatchdogTest {
    private final AtomicLong now = new AtomicLong(50_000_000_000L);

    @Test
    void abortsOnlyWritesBlockedLongerThanTheTimeout() {
        try (WriteWatchdog watchdog = new WriteWatchdog(Duration.ofSeconds(2), now::get, false)) {
            RecordingConnection idle = new RecordingConnection(0);
            RecordingConnection recent = new RecordingConnection(now.get() - 1_000_000_000L);
            RecordingConnection stalled = new RecordingConnection(now.get() - 2_500_000_000L);
            watchdog.watch(idle);
            watchdog.watch(recent);
            watchdog.watch(stalled);

            assertEquals(1, watchdog.check());
            assertEquals(List.of(Duration.ofSeconds(2)), stalled.aborts);
            assertTrue(idle.aborts.isEmpty());
            assertTrue(recent.aborts.isEmpty());
            assertEquals(2, watchdog.watchedCount(), "an aborted connection is no longer watched");

            now.addAndGet(1_500_000_000L);
            assertEquals(1, watchdog.check(), "the recent write is now 2.5 s old");
            assertEquals(1, recent.aborts.size());
            assertEquals(1, stalled.aborts.size(), "aborted once only");
            assertTrue(idle.aborts.isEmpty());
        }
    }

    @Test
    void unwatchedConnectionsAreLeftAlone() {
        try (WriteWatchdog watchdog = new WriteWatchdog(Duration.ofMillis(10), now::get, false)) {
            RecordingConnection stalled = new RecordingConnection(now.get() - 1_000_000_000L);
            watchdog.watch(stalled);
            watchdog.unwatch(stalled);
            assertEquals(0, watchdog.check());
            assertTrue(stalled.aborts.isEmpty());
        }
    }

    @Test
    void itsThreadStartsWithTheFirstConnectionAndEndsOnClose() {
        WriteWatchdog watchdog = new WriteWatchdog(Duration.ofSeconds(1), System::nanoTime);
        assertFalse(watchdogThreadAlive(), "no thread before any connection");
        watchdog.watch(new RecordingConnection(0));
        assertTrue(watchdogThreadAlive());
        watchdog.close();
        watchdog.close();
        assertFalse(watchdogThreadAlive(), "thread ended by close");
        watchdog.watch(new RecordingConnection(0));
        assertEquals(0, watchdog.watchedCount(), "a closed watchdog watches nothing");
        assertFalse(watchdogThreadAlive());
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThrows(IllegalArgumentException.class, () -> new WriteWatchdog(Duration.ZERO, System::nanoTime));
    }

    private static boolean watchdogThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals("parcel-tcp-write-watchdog") && thread.isAlive());
    }

    private static final class RecordingConnection implements WriteWatchdog.Watched {
        private final long startedNanos;
        private final List<Duration> aborts = new ArrayList<>();

        RecordingConnection(long startedNanos) {
            this.startedNanos = startedNanos;
        }

        @Override
        public long writeStartedNanos() {
            return startedNanos;
        }

        @Override
        public void abortStalledWrite(Duration timeout) {
            aborts.add(timeout);
        }
    }
}
