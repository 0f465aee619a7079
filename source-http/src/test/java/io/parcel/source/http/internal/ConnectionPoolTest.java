package io.parcel.source.http.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionPoolTest {
    private static final String ORIGIN = "http://example.org:80";
    private final AtomicLong now = new AtomicLong(1_000);
    private final ConnectionPool pool = new ConnectionPool(2, 4_000, now::get);

    @Test
    void namesOriginsBySchemeHostAndPort() {
        assertEquals(ORIGIN, ConnectionPool.origin(URI.create("http://Example.ORG/a?b")));
        assertEquals("https://example.org:443", ConnectionPool.origin(URI.create("https://example.org/a")));
        assertEquals("http://[::1]:8080", ConnectionPool.origin(URI.create("http://[::1]:8080/")));
    }

    @Test
    void givesTheWarmestConnectionOfTheOriginBack() {
        ConnectionPool.Connection older = connection();
        ConnectionPool.Connection newer = connection();
        pool.give(ORIGIN, older);
        pool.give(ORIGIN, newer);

        assertEquals(Optional.empty(), pool.take("http://example.org:8080"));
        assertSame(newer, pool.take(ORIGIN).orElseThrow());
        assertSame(older, pool.take(ORIGIN).orElseThrow());
        assertEquals(Optional.empty(), pool.take(ORIGIN));
    }

    @Test
    void closesConnectionsIdleTooLong() {
        ConnectionPool.Connection idle = connection();
        pool.give(ORIGIN, idle);
        now.addAndGet(3_999);
        ConnectionPool.Connection fresh = connection();
        pool.give(ORIGIN, fresh);
        now.addAndGet(1);

        assertSame(fresh, pool.take(ORIGIN).orElseThrow());
        assertTrue(idle.socket().isClosed());
        assertEquals(0, pool.idleCount());
    }

    @Test
    void keepsAtMostTheLimitPerOriginClosingTheOldest() {
        ConnectionPool.Connection first = connection();
        pool.give(ORIGIN, first);
        pool.give(ORIGIN, connection());
        pool.give(ORIGIN, connection());

        assertTrue(first.socket().isClosed());
        assertEquals(2, pool.idleCount());
    }

    @Test
    void closingClosesTheIdleAndEveryLaterReturn() {
        ConnectionPool.Connection idle = connection();
        pool.give(ORIGIN, idle);
        pool.close();
        ConnectionPool.Connection late = connection();
        pool.give(ORIGIN, late);

        assertTrue(idle.socket().isClosed());
        assertTrue(late.socket().isClosed());
        assertEquals(0, pool.idleCount());
        assertEquals(Optional.empty(), pool.take(ORIGIN));
    }

    @Test
    void neverKeepsAClosedSocket() throws Exception {
        ConnectionPool.Connection closed = connection();
        closed.close();
        pool.give(ORIGIN, closed);
        assertEquals(0, pool.idleCount());
    }

    /**
     * A virtual thread waiting for a connect (any connect across a real network) starts the JDK's I/O poller, a
     * thread that stays in native code, and the JVM's exit then waits 300 ms for it: every download ended that late.
     */
    @Test
    void opensAheadOnDaemonPlatformThreads() throws Exception {
        Set<Thread> openers = ConcurrentHashMap.newKeySet();
        CountDownLatch opened = new CountDownLatch(2);
        pool.prepare(ORIGIN, 2, () -> {
            openers.add(Thread.currentThread());
            opened.countDown();
            return connection();
        });

        assertTrue(opened.await(10, TimeUnit.SECONDS), "the openers ran");
        assertEquals(2, openers.size());
        for (Thread opener : openers) {
            assertFalse(opener.isVirtual(), opener + " is virtual");
            assertTrue(opener.isDaemon(), opener + " would keep the JVM alive");
        }
    }

    private static ConnectionPool.Connection connection() {
        return new ConnectionPool.Connection(new Socket(), new ByteArrayInputStream(new byte[0]));
    }
}
