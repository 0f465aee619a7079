package io.parcel.source.http;

import io.parcel.source.http.internal.HttpSettings;
import io.parcel.spi.OptionKey;
import io.parcel.spi.Options;
import io.parcel.spi.PluginContext;
import io.parcel.spi.Source;
import io.parcel.spi.SourceFactory;
import io.parcel.spi.Transport;

import java.io.IOException;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** Creates {@link HttpSource}s; named {@code http}, it serves {@code https} URLs as well. */
public final class HttpSourceFactory implements SourceFactory {
    public static final String NAME = "http";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "HTTP/1.1 and HTTPS range reads over the chosen transport";
    }

    @Override
    public List<OptionKey<?>> options() {
        return HttpSourceOptions.ALL;
    }

    @Override
    public Source create(Options options, Transport transport, PluginContext context) throws IOException {
        requireNonNull(options, "options is null");
        requireNonNull(transport, "transport is null");
        requireNonNull(context, "context is null");
        return new HttpSource(HttpSettings.from(options), transport, context.logger(HttpSource.class));
    }
}
