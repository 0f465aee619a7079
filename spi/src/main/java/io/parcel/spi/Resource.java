package io.parcel.spi;

import java.net.URI;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a {@link Source} found out about one thing to fetch.
 *
 * @param locator        what the user asked for (a URL or a file ID), as given
 * @param uri            where the bytes are actually read from (after resolving IDs and redirects)
 * @param name           the file name to store it under (from Content-Disposition, the URL or the ID); no path separators
 * @param size           size in bytes, or {@link #UNKNOWN_SIZE}
 * @param md5            expected MD5 as 32 lower-case hex digits, when the source or a manifest knows it
 * @param rangeSupported true when {@link Source#open(Resource, ByteRange)} may be called with any range
 * @param validator      a value that changes when the content changes (ETag, Last-Modified), used to refuse
 *                       resuming onto different bytes; empty when the source has none
 */
public record Resource(String locator, URI uri, String name, long size, Optional<String> md5,
                       boolean rangeSupported, Optional<String> validator) {
    public static final long UNKNOWN_SIZE = -1;

    public Resource {
        requireNonNull(locator, "locator is null");
        requireNonNull(uri, "uri is null");
        requireNonNull(name, "name is null");
        requireNonNull(md5, "md5 is null");
        requireNonNull(validator, "validator is null");
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("resource name must be a plain file name: '" + name + "'");
        }
        if (size < UNKNOWN_SIZE) {
            throw new IllegalArgumentException("size must be >= 0 or UNKNOWN_SIZE: " + size);
        }
        md5.ifPresent(value -> {
            if (!value.matches("[0-9a-f]{32}")) {
                throw new IllegalArgumentException("md5 must be 32 lower-case hex digits: '" + value + "'");
            }
        });
    }

    public boolean sizeKnown() {
        return size != UNKNOWN_SIZE;
    }

    public Resource withName(String newName) {
        return new Resource(locator, uri, newName, size, md5, rangeSupported, validator);
    }

    public Resource withMd5(String newMd5) {
        return new Resource(locator, uri, name, size, Optional.of(newMd5), rangeSupported, validator);
    }
}
