package io.parcel.kernel;

import java.util.List;

import io.parcel.spi.Options;

import static java.util.Objects.requireNonNull;

/**
 * @param items   what to download, in order; duplicates (same locator) are downloaded once
 * @param options kernel options ({@link DownloadOptions}, {@link io.parcel.spi.CommonOptions}) and plugin options
 */
public record DownloadRequest(List<DownloadItem> items, Options options) {
    public DownloadRequest {
        items = List.copyOf(requireNonNull(items, "items is null"));
        requireNonNull(options, "options is null");
    }
}
