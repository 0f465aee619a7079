package io.parcel.kernel.internal;

import java.time.Clock;

import io.parcel.spi.PluginContext;

import static java.util.Objects.requireNonNull;

/** The context plugins get: the kernel's clock. */
record KernelPluginContext(Clock clock) implements PluginContext {
    KernelPluginContext {
        requireNonNull(clock, "clock is null");
    }
}
