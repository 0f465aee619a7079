package io.parcel.source.http;

import io.parcel.spi.CommonOptions;
import io.parcel.spi.OptionKey;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** The option keys the {@code http} source reads, besides {@link CommonOptions#CONNECT_TIMEOUT} and {@link CommonOptions#IO_TIMEOUT}. */
public final class HttpSourceOptions {
    /** A file holding the auth token, sent as {@code X-Auth-Token}; read once, trimmed. */
    public static final OptionKey<Path> TOKEN_FILE =
            OptionKey.of("token-file", null, Path::of, "file holding the token sent as X-Auth-Token");

    /** Extra request headers, "Name: value", several joined by '\n'. */
    public static final OptionKey<String> HEADER =
            OptionKey.string("header", null, "extra request header 'Name: value' (several joined by newlines)");

    /** Base URL that turns a file ID into {@code <base>/data/<id>}. */
    public static final OptionKey<URI> SERVER_URL =
            OptionKey.of("server-url", null, URI::create, "base URL that turns a file ID into <base>/data/<id>");

    /** Redirects followed per request before giving up. */
    public static final OptionKey<Integer> MAX_REDIRECTS =
            OptionKey.integer("max-redirects", 10, "redirects followed per request before giving up");

    /** PEM certificates trusted in addition to the JDK's default certificate authorities. */
    public static final OptionKey<Path> CA_FILE =
            OptionKey.of("ca-file", null, Path::of, "PEM certificates trusted in addition to the JDK's defaults");

    /** Every key the source reads, for help output and validation. */
    public static final List<OptionKey<?>> ALL = List.of(TOKEN_FILE, HEADER, SERVER_URL, MAX_REDIRECTS, CA_FILE,
            CommonOptions.CONNECT_TIMEOUT, CommonOptions.IO_TIMEOUT);

    private HttpSourceOptions() {
    }
}
