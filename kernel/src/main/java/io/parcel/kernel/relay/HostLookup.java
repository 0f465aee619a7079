package io.parcel.kernel.relay;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Host name lookups bounded by the caller's timeout. The JDK resolver can be given neither a timeout nor an interrupt,
 * and the system's own retries can hold a lookup for tens of seconds, longer than any connect timeout. So each lookup
 * of a name runs on a thread of its own and the caller stops waiting at its deadline; a lookup that hangs finishes (or
 * fails) later on its own and its answer is dropped.
 *
 * <p>The lookup threads are platform threads: a lookup blocks in native code, which would pin the carrier of a
 * virtual thread, and a few hung lookups could then stall every pump of the relay. At most {@code maxPending}
 * lookups run at once; past that a lookup fails at once instead of adding threads. IP literals are never looked up.
 * Thread-safe.
 */
final class HostLookup {
    /** Lookups in flight at once (each a parked platform thread while the resolver hangs). */
    static final int DEFAULT_MAX_PENDING = 64;
    /** The JDK's resolver, as every relay and tunnel uses it. */
    static final HostLookup SYSTEM = new HostLookup(InetAddress::getAllByName, DEFAULT_MAX_PENDING);

    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    /** What answers a lookup: the system resolver, or a test's own. Blocking; may take any time. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    private final Resolver resolver;
    private final Semaphore pending;
    private final int maxPending;

    HostLookup(Resolver resolver, int maxPending) {
        this.resolver = requireNonNull(resolver, "resolver is null");
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1: " + maxPending);
        }
        this.maxPending = maxPending;
        this.pending = new Semaphore(maxPending);
    }

    /**
     * The first address of {@code target}'s host with its port, within {@code timeout}.
     *
     * @throws SocketTimeoutException when the lookup takes longer than {@code timeout} (or too many are pending)
     * @throws UnknownHostException   when the name does not resolve
     */
    InetSocketAddress resolve(HostPort target, Duration timeout) throws IOException {
        requireNonNull(target, "target is null");
        requireNonNull(timeout, "timeout is null");
        String host = target.host();
        if (target.isIpv6() || isIpv4Literal(host)) {
            // A literal is parsed, not looked up: no thread, no wait.
            return new InetSocketAddress(InetAddress.getByName(host), target.port());
        }
        if (!pending.tryAcquire()) {
            throw new SocketTimeoutException("resolving " + host + " not started: " + maxPending
                    + " host name lookups are still pending (is the name server answering?)");
        }
        CompletableFuture<InetAddress[]> lookup = new CompletableFuture<>();
        try {
            Thread.ofPlatform().daemon().name("parcel-lookup-" + host).start(() -> {
                try {
                    lookup.complete(resolver.lookup(host));
                } catch (UnknownHostException | RuntimeException e) {
                    lookup.completeExceptionally(e);
                } finally {
                    pending.release();
                }
            });
        } catch (RuntimeException | OutOfMemoryError e) {
            pending.release();
            throw new IOException("cannot start a lookup of " + host + ": " + e, e);
        }
        try {
            InetAddress[] addresses = lookup.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
            if (addresses == null || addresses.length == 0) {
                throw new UnknownHostException("cannot resolve " + host + ": no addresses");
            }
            return new InetSocketAddress(addresses[0], target.port());
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

    /** Four decimal octets up to 255: the JDK parses these without a lookup (anything else it would look up). */
    private static boolean isIpv4Literal(String host) {
        if (!IPV4_LITERAL.matcher(host).matches()) {
            return false;
        }
        for (String octet : host.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }
}
