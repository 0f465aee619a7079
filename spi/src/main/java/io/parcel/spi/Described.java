package io.parcel.spi;

import java.io.InputStream;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@link Source#describeAndOpen} found: the resource and, when the source could ask for them in the same request,
 * its first bytes.
 *
 * @param resource   as {@link Source#describe} gives it
 * @param firstBytes a stream of exactly the resource's first {@code min(asked, size)} bytes, the caller's to close;
 *                   present only for a resource of known, non-zero size that supports ranges
 */
public record Described(Resource resource, Optional<InputStream> firstBytes) {
    public Described {
        requireNonNull(resource, "resource is null");
        requireNonNull(firstBytes, "firstBytes is null");
        if (firstBytes.isPresent() && (!resource.sizeKnown() || resource.size() == 0 || !resource.rangeSupported())) {
            throw new IllegalArgumentException("first bytes of " + resource.name()
                    + " without a known non-zero size and range support");
        }
    }

    /** A description with no bytes. */
    public static Described withoutBytes(Resource resource) {
        return new Described(resource, Optional.empty());
    }
}
