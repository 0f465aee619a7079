package io.parcel.source.http;

import io.parcel.spi.Plugin;
import io.parcel.spi.SourceFactory;

import java.util.List;

/** The {@code http} source plugin (HTTP and HTTPS). Does no work until a source is created. */
public final class HttpPlugin implements Plugin {
    @Override
    public List<SourceFactory> sources() {
        return List.of(new HttpSourceFactory());
    }
}
