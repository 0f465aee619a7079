package io.parcel.spi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lookups end at the caller's deadline whatever the resolver does; literals never reach the resolver. */
class HostLookupTest {
    /** Released after each test, so no lookup thread outlives it. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger lookups = new AtomicInteger();

    @AfterEach
    void releaseHungLookups() {
        release.countDown();
    }

    /** A name server that never answers (until the test ends). */
    private InetAddress[] hang(String host) throws UnknownHostException {
        lookups.incrementAndGet();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new UnknownHostException(host + ": released");
    }

    @Test
    void aHungLookupEndsAtTheTimeout() {
        HostLookup lookup = new HostLookup(this::hang, 4);
        long start = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                () -> lookup.resolve("slow.example", Duration.ofMillis(300)));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis >= 250 && millis < 3000, "returned after " + millis + " ms");
        assertEquals("resolving slow.example took longer than 300 ms", e.getMessage());
    }

    @Test
    void tooManyPendingLookupsFailAtOnceInsteadOfAddingThreads() throws Exception {
        HostLookup lookup = new HostLookup(this::hang, 2);
        for (int i = 0; i < 2; i++) {
            String name = "hung" + i + ".example";
            assertThrows(SocketTimeoutException.class, () -> lookup.resolve(name, Duration.ofMillis(50)));
        }
        long start = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                () -> lookup.resolve("third.example", Duration.ofSeconds(20)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "waited instead of failing at once");
        assertTrue(e.getMessage().contains("2 host name lookups are still pending"), e.getMessage());
        assertEquals(2, lookups.get(), "the third lookup must not have started");
    }

    @Test
    void anAnswerWithinTheTimeoutIsReturned() throws Exception {
        InetAddress answer = InetAddress.getByAddress("fast.example", new byte[] {10, 1, 2, 3});
        HostLookup lookup = new HostLookup(host -> new InetAddress[] {answer}, 4);
        assertEquals(List.of(answer), lookup.resolve("fast.example", Duration.ofSeconds(5)));
    }

    @Test
    void anUnknownNameSaysWhich() {
        HostLookup lookup = new HostLookup(host -> {
            throw new UnknownHostException(host);
        }, 4);
        UnknownHostException e = assertThrows(UnknownHostException.class,
                () -> lookup.resolve("nowhere.invalid", Duration.ofSeconds(5)));
        assertEquals("cannot resolve nowhere.invalid", e.getMessage());
    }

    @Test
    void literalsAreNeverLookedUp() throws Exception {
        HostLookup lookup = new HostLookup(this::hang, 1);
        assertEquals(InetAddress.getByName("10.0.0.7"),
                lookup.resolve("10.0.0.7", Duration.ofMillis(50)).get(0));
        assertEquals(InetAddress.getByName("::1"),
                lookup.resolve("::1", Duration.ofMillis(50)).get(0));
        assertEquals(0, lookups.get());
        // Not a literal (an octet above 255): it goes to the resolver, within the timeout like any name.
        assertThrows(SocketTimeoutException.class,
                () -> lookup.resolve("300.1.1.1", Duration.ofMillis(50)));
        assertEquals(1, lookups.get());
    }
}
