package io.parcel.kernel.relay;

import io.parcel.spi.OptionKey;

import java.nio.file.Path;
import java.util.List;

/**
 * The options of a download that goes through a relay ({@code parcel download --via HOST:PORT ...}), read by
 * {@link RelayTransport#wrap}. TLS to the relay is on when {@link #VIA_CA_FILE} or {@link #VIA_PIN} is given.
 */
public final class RelayOptions {
    /** The relay ({@code parcel serve}) to connect through; absent means direct connections. */
    public static final OptionKey<HostPort> VIA = OptionKey.of("via", null, HostPort::parse,
            "relay (parcel serve) to connect through, HOST:PORT");

    /** A file holding the relay's admission token. */
    public static final OptionKey<Path> VIA_TOKEN_FILE = OptionKey.of("via-token-file", null, Path::of,
            "file holding the relay's admission token");

    /** PEM certificates that the relay's TLS certificate must chain to; its name must match the --via host. */
    public static final OptionKey<Path> VIA_CA_FILE = OptionKey.of("via-ca-file", null, Path::of,
            "PEM CA certificates to verify the relay's TLS certificate with (turns TLS to the relay on)");

    /** SHA-256 of the relay's TLS certificate (hex, colons allowed), instead of a CA. */
    public static final OptionKey<String> VIA_PIN = OptionKey.string("via-pin", null,
            "SHA-256 of the relay's TLS certificate, hex (turns TLS to the relay on)");

    /** Every key a relay client reads, for help output and validation. */
    public static final List<OptionKey<?>> ALL = List.of(VIA, VIA_TOKEN_FILE, VIA_CA_FILE, VIA_PIN);

    private RelayOptions() {
    }
}
