package io.parcel.kernel.internal;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The class loader of one plugin directory: its jars, on top of the platform loader, so a plugin sees the JDK and
 * its own jars only. The SPI packages alone come from the kernel, since kernel and plugin must agree on those
 * types; everything else a plugin carries (its own Guava, its own helpers) stays its own, so two directories may hold
 * different versions of one class.
 */
final class PluginClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private static final List<String> SHARED_PACKAGES = List.of("io.parcel.spi.");

    private final ClassLoader hostLoader;

    PluginClassLoader(String name, List<URL> jars, ClassLoader hostLoader) {
        super(name, jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        this.hostLoader = requireNonNull(hostLoader, "hostLoader is null");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return hostLoader.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    private static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
