package io.parcel.kernel.internal;

import io.parcel.kernel.Kernel;
import io.parcel.kernel.KernelConfig;
import io.parcel.spi.UsageException;

/** Placeholder until the kernel lands: wiring is not implemented yet. */
public final class DefaultKernel {
    private DefaultKernel() {
    }

    public static Kernel start(KernelConfig config) throws UsageException {
        throw new UnsupportedOperationException("kernel not implemented yet");
    }
}
