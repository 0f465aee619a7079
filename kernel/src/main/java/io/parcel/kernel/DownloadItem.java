package io.parcel.kernel;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One thing to download, with what the user already knows about it (from a manifest).
 *
 * @param locator a URL or a file ID, passed to the source as is
 * @param name    file name to store it under, overriding the source's
 * @param size    expected size in bytes; a different size from the source is a failure
 * @param md5     expected MD5 (32 lower-case hex digits), overriding the source's
 */
public record DownloadItem(String locator, Optional<String> name, Optional<Long> size, Optional<String> md5) {
    public DownloadItem {
        requireNonNull(locator, "locator is null");
        requireNonNull(name, "name is null");
        requireNonNull(size, "size is null");
        requireNonNull(md5, "md5 is null");
    }

    public static DownloadItem of(String locator) {
        return new DownloadItem(locator, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
