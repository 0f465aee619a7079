package io.parcel.spi;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Host name lookups bounded by the caller's timeout, for every plugin and the kernel: a {@link Transport} gets
 * addresses as the user wrote them (unresolved) and must resolve them within its connect timeout. The JDK resolver
 * can be given neither a timeout nor an interrupt, and the system's own retries can hold a lookup for tens of seconds.
 * So each lookup of a name runs on a thread of its own and the caller stops waiting at its deadline; a lookup that
 * hangs finishes (or fails) later on its own and its answer is dropped.
 *
 * <p>The lookup threads are platform daemon threads: a lookup blocks in native code, which would pin the carrier of
 * a virtual thread, and a few hung lookups could then stall every virtual thread of the process. At most
 * {@code maxPending} lookups run at once; past that a lookup fails at once instead of adding threads. IP literals
 * are parsed, never looked up. Thread-safe.
 */
public final class HostLookup {
    /** Lookups in flight at once (each a parked platform thread while the resolver hangs). */
    public static final int DEFAULT_MAX_PENDING = 64;

    private static final HostLookup SYSTEM = new HostLookup(InetAddress::getAllByName, DEFAULT_MAX_PENDING);
    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    /** What answers a lookup: the system resolver, or a test's own. Blocking; may take any time. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] lookup(String host) throws UnknownHostException;
    }

    private final Resolver resolver;
    private final Semaphore pending;
    private final int maxPending;

    /** A lookup with its own resolver (tests: one that hangs or answers what they need). */
    public HostLookup(Resolver resolver, int maxPending) {
        this.resolver = requireNonNull(resolver, "resolver is null");
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1: " + maxPending);
        }
        this.maxPending = maxPending;
        this.pending = new Semaphore(maxPending);
    }

    /** The JDK's resolver, shared by the whole process so the bound on pending lookups is too. */
    public static HostLookup system() {
        return SYSTEM;
    }

    /**
     * Every address of {@code host}, in the resolver's order, within {@code timeout}. {@code host} may be an IPv4 or
     * IPv6 literal (with or without brackets); then it is parsed, not looked up.
     *
     * @throws SocketTimeoutException when the lookup takes longer than {@code timeout} (or too many are pending)
     * @throws UnknownHostException   when the name does not resolve
     */
    public List<InetAddress> resolve(String host, Duration timeout) throws IOException {
        requireNonNull(host, "host is null");
        requireNonNull(timeout, "timeout is null");
        if (host.contains(":") || isIpv4Literal(host)) {
            return List.of(InetAddress.getByName(host));
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
            return List.of(addresses);
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
