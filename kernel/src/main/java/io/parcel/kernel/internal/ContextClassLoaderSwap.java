package io.parcel.kernel.internal;

import static java.util.Objects.requireNonNull;

/**
 * Sets the current thread's context class loader for the length of a try-with-resources block, so plugin code that
 * looks resources or services up through it (many libraries do) sees its own jars, not the kernel's.
 */
final class ContextClassLoaderSwap implements AutoCloseable {
    private final Thread thread;
    private final ClassLoader previous;

    private ContextClassLoaderSwap(ClassLoader loader) {
        this.thread = Thread.currentThread();
        this.previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
    }

    static ContextClassLoaderSwap to(ClassLoader loader) {
        return new ContextClassLoaderSwap(requireNonNull(loader, "loader is null"));
    }

    @Override
    public void close() {
        thread.setContextClassLoader(previous);
    }
}
