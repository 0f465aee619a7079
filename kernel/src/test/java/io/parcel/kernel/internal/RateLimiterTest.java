package io.parcel.kernel.internal;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(5 * SECOND);
    private final RateLimiter limiter = new RateLimiter(1000, 100, now::get);

    @Test
    void burstPassesThenCallersWaitForTheirShare() {
        assertEquals(0, limiter.reserve(100), "a full bucket lets the burst through");
        assertEquals(SECOND / 10, limiter.reserve(100), "100 more bytes at 1000 B/s is a tenth of a second");
        // A second connection asking at the same moment queues behind the first one's debt.
        assertEquals(SECOND / 5, limiter.reserve(100));
    }

    @Test
    void tokensRefillWithTimeButNeverBeyondTheBurst() {
        limiter.reserve(100);
        now.addAndGet(SECOND / 20);
        assertEquals(0, limiter.reserve(50));
        now.addAndGet(60 * SECOND);
        assertEquals(0, limiter.reserve(100));
        assertEquals(SECOND / 1000, limiter.reserve(1), "an idle minute did not bank more than the burst");
    }

    @Test
    void sumOfManyConnectionsStaysAtTheRate() {
        // 10 connections each take 1000 bytes at the same instant: the last waits for the whole 10 s minus the burst.
        long lastWait = 0;
        for (int i = 0; i < 10; i++) {
            lastWait = limiter.reserve(1000);
        }
        assertEquals(9_900 * SECOND / 1000, lastWait);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(1, 0, now::get));
    }
}
