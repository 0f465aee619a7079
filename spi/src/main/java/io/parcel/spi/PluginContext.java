package io.parcel.spi;

import java.time.Clock;

/** What the kernel gives a plugin when it creates one of its components. */
public interface PluginContext {
    /** The clock to read time from; tests substitute their own. */
    Clock clock();

    /** A logger for the plugin's component, named after {@code owner}. */
    default System.Logger logger(Class<?> owner) {
        return System.getLogger(owner.getName());
    }

    /** A context on the system clock. */
    static PluginContext system() {
        return Clock::systemUTC;
    }
}
