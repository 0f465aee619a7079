package io.parcel.transport.tcp.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * Host name lookups bounded by a connect timeout. The JDK resolver cannot be interrupted or given a timeout, so each
 * lookup runs on a virtual thread of its own and the caller stops waiting at the deadline; a lookup that hangs
 * finishes (or fails) on its own later and its result is dropped.
 */
final class NameResolver {
    private NameResolver() {
    }

    /** Every address of {@code host} (as {@link InetAddress#getAllByName} orders them), within {@code timeout}. */
    static List<InetAddress> resolve(String host, Duration timeout) throws IOException {
        requireNonNull(host, "host is null");
        requireNonNull(timeout, "timeout is null");
        CompletableFuture<InetAddress[]> lookup = new CompletableFuture<>();
        Thread.ofVirtual().name("parcel-resolve").start(() -> {
            try {
                lookup.complete(InetAddress.getAllByName(host));
            } catch (UnknownHostException | RuntimeException e) {
                lookup.completeExceptionally(e);
            }
        });
        try {
            return List.of(lookup.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("resolving " + host + " took longer than " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                UnknownHostException named = new UnknownHostException("cannot resolve " + host);
                named.initCause(unknown);
                throw named;
            }
            throw new IOException("resolving " + host + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while resolving " + host);
        }
    }
}
